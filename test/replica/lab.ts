/**
 * A local read layer for a test file: built once by the real `ecomdb replica up --local`, torn
 * down by `ecomdb replica down --local`, and, should that fail, by stopping every cluster in the
 * folder and removing it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { labDown, nodeUrl, readLab, type LabState } from '../../src/replica/local.ts';
import { run } from '../../src/replica/process.ts';
import { ecomdb, type CliResult } from '../helpers/cli.ts';

export interface TestLab {
  readonly dir: string;
  readonly state: () => LabState;
  /** A postgres.js client on a node (closed by teardown). */
  readonly sql: (node: string, database?: string) => postgres.Sql;
  readonly cli: (args: readonly string[]) => Promise<CliResult>;
  readonly up: CliResult;
  teardown(): Promise<void>;
}

/** Build the lab in a new temporary folder, on ports from `firstPort`; `sample: false` loads no sample rows (to seed it instead). */
export async function buildLab(firstPort: number, options: { sample?: boolean } = {}): Promise<TestLab> {
  const dir = mkdtempSync(join(tmpdir(), 'ecomdb-replica-'));
  const cli = (args: readonly string[]) => ecomdb([...args, '--dir', dir], { cwd: tmpdir() });
  const clients: postgres.Sql[] = [];
  const teardown = async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 1 }).catch(() => {})));
    const down = await cli(['replica', 'down', '--local']).catch(() => undefined);
    if (down?.code !== 0) await labDown(dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  const up = await cli(['replica', 'up', '--local', '--port', String(firstPort), '--json', ...(options.sample === false ? ['--no-sample'] : [])]);
  if (up.code !== 0) {
    await teardown();
    throw new Error(`replica up failed (exit ${up.code}):\n${up.stderr}\n${up.stdout}`);
  }
  const state = () => readLab(dir);
  return {
    dir,
    state,
    cli,
    up,
    teardown,
    sql(node, database) {
      const client = postgres(nodeUrl(state(), node, database), { max: 2, onnotice: () => {}, connect_timeout: 5 });
      clients.push(client);
      return client;
    },
  };
}

/** Poll `probe` until it returns a value other than undefined/false; fail after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

/** Run a psql script file on a node as the postgres OS user through its socket. */
export function psqlFile(state: LabState, node: string, file: string, database = state.database) {
  const port = state.nodes.find((n) => n.name === node)!.port;
  return run(join(state.pgBin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', join(state.dir, 'run'), '-p', String(port), '-U', 'postgres', '-d', database, '-f', file], {
    asPostgres: true,
  });
}
