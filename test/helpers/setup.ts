/** Runs around every test file (vitest setupFiles): temporary folders go when the file is done. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.ts';

afterAll(() => removeTempDirs());
