// A lane of a parallel seed starts here (src/seed/lanes.ts). Plain JavaScript: a worker thread
// does not inherit the TypeScript loader its parent registered (bin/ecomdb.js, vitest), so it
// registers tsx itself before importing the lane.
import { register } from 'tsx/esm/api';

register();
await import('./lane-worker.ts');
