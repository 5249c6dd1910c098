#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx (no build step), run, exit with the status.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
