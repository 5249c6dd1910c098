/**
 * Redis for the cache tests: the shared server with a key prefix unique to the run (deleted
 * afterwards, nothing else touched), or a redis-server of the test's own on a free port, which a
 * test may stop, pause and start again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';

export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run uses. */
export function uniquePrefix(label: string): string {
  return `ecomdb_test_${label}_${randomBytes(4).toString('hex')}:`;
}

/** Delete every key under `prefix` (and only those). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await redis.unlink(keys);
  } finally {
    redis.destroy();
  }
}

/** Every key under `prefix`. */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    const out: string[] = [];
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) out.push(...keys);
    return out.sort();
  } finally {
    redis.destroy();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own: no persistence, so a restart starts empty. */
export class OwnRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      const probe = createClient({ url: this.url, socket: { reconnectStrategy: false, connectTimeout: 200 } });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.destroy();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }

  /** SIGKILL: the server and everything it held are gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the server keeps its connections and data but answers nothing (a Redis that hangs). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
  }
}
