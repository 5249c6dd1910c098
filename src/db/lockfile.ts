/**
 * A lockfile that gives one process at a time the embedded data directory. Two PGlite
 * processes on the same folder lose committed rows (docs/design.md, 'PGlite'), so a second opener is refused.
 * A lock left by a process that no longer runs is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { EcomdbError } from '../errors.ts';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock at `path`; returns the function that releases it. */
export function acquireLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const release = () => {
        process.removeListener('exit', release);
        rmSync(path, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
        throw new EcomdbError('E_TARGET_LOCKED', `${what} is in use by process ${holder}`, {
          hint: 'wait for that ecomdb command to finish, or pass --url to use a PostgreSQL server',
          details: { lockfile: path, pid: holder },
        });
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new EcomdbError('E_TARGET_LOCKED', `${what} is locked by ${path}`, { hint: `remove ${path} if no ecomdb runs` });
}
