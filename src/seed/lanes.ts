/**
 * The lanes of a parallel phased seed (docs/design.md, 'Seeding in parallel lanes'). The rows
 * are generated in JavaScript, about 6.5 µs of CPU each: one thread cannot feed the server
 * faster than that, so the COPY tables go over worker threads (lane-worker.ts), each with its
 * own connection and its own World, each loading whole tables in a transaction of its own, the
 * biggest first (longest processing time first). Every row is a pure function of (seed, index),
 * so which lane loads a table, and when, changes nothing in its bytes.
 *
 * The SQL-only work of the other phases (rebuilding keys and indexes, the orphan counts of kept
 * foreign keys, ANALYZE) needs no thread of its own: `inParallel` runs it over a few sessions of
 * one pool from the main thread.
 */
import { Worker } from 'node:worker_threads';
import type { TableSeed, World, WorldOptions } from '../../seeds/index.ts';
import type { Database, Session } from '../db/types.ts';
import type { ConnectionOptions } from '../db/url.ts';
import { EcomdbError, type ErrorCode } from '../errors.ts';
import type { TableLoadOptions, TableResult, WriteMode } from './table-load.ts';

/** What a lane is started with (structured-cloned into its thread). */
export interface LaneData {
  readonly connection: ConnectionOptions;
  readonly label: string;
  readonly world: WorldOptions;
  readonly mode: WriteMode;
  readonly fault: string | undefined;
  /** What a failure keeps, for its hint. */
  readonly kept: string;
}

/** Main thread to lane: load TABLE_SEEDS[seed]; close and end; or give up the table under way and end. */
export type ToLane = { kind: 'table'; seed: number } | { kind: 'stop' } | { kind: 'abort' };

export interface LaneError {
  readonly code?: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly details: Record<string, unknown>;
}

/** Lane to main thread: connected, progress, a table committed, or a failure (then it ends). */
export type FromLane =
  | { kind: 'ready' }
  | { kind: 'start'; table: string; expected: number }
  | { kind: 'rows'; table: string; rows: number }
  | { kind: 'done'; result: TableResult }
  | { kind: 'failed'; error: LaneError };

/** The most lanes a seed takes, and the default on a server. */
export const MAX_JOBS = 16;
export const DEFAULT_JOBS = 2;

/**
 * Refuse a number of lanes the seed cannot run, for the CLI and library callers alike: a whole
 * number from 1 to MAX_JOBS, and more than one only with `partitionedKeys` auto (rebuild and keep
 * load in one transaction, on one session). Pure: throws E_USAGE, connects to nothing.
 */
export function checkJobs(jobs: number | undefined, partitionedKeys: string = 'auto'): void {
  if (jobs === undefined) return;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) {
    throw new EcomdbError('E_USAGE', `--jobs ${jobs} is not a whole number from 1 to ${MAX_JOBS}`, {
      hint: `use from 1 to ${MAX_JOBS} lanes, e.g. --jobs ${DEFAULT_JOBS}`,
      details: { option: '--jobs', value: jobs },
    });
  }
  if (jobs > 1 && partitionedKeys !== 'auto') {
    throw new EcomdbError('E_USAGE', `--jobs ${jobs} needs --partitioned-keys auto (${partitionedKeys} loads in one transaction, on one session)`, {
      hint: `drop --partitioned-keys ${partitionedKeys}, or pass --jobs 1`,
      details: { option: '--jobs', value: jobs },
    });
  }
}

/**
 * A lane's heap. The generators stream: a lane never holds more than a chunk of rows, so a
 * small old generation is plenty and keeps the process (main thread and lanes) well under
 * 300 MB resident with the default two lanes.
 */
const LANE_HEAP = { maxOldGenerationSizeMb: 40, maxYoungGenerationSizeMb: 4 };

const BOOTSTRAP = new URL('./lane.js', import.meta.url);

/** The lanes of this process still running, for stopLanes. */
const running = new Set<Worker>();
/** Set by stopLanes: the process is about to exit; the seed is left as it stands (no cleanup, no output). */
let exiting = false;

/**
 * Tell every running lane to give up its table and end, and wait until they have (a signal's
 * handler calls this before exiting). Exiting with lanes running tears their threads down, and a
 * lane hashing passwords then aborts the whole process (argon2 is a native addon): exit 134 and
 * a C++ message instead of the status and the line the user should see.
 */
export function stopLanes(): Promise<void> {
  exiting = true;
  const ending = [...running].map((worker) => new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    worker.postMessage({ kind: 'abort' } satisfies ToLane);
  }));
  return Promise.all(ending).then(() => undefined);
}

function laneError(error: LaneError): EcomdbError {
  return new EcomdbError(error.code ?? 'E_SEED_FAILED', error.message, { hint: error.hint, details: error.details });
}

/**
 * Load TABLE_SEEDS[i] for each i of `seeds` (COPY tables) over `jobs` worker threads, the
 * biggest tables first; the results in the order of `seeds`. The progress callbacks of
 * `options` fire on this thread. `afterFirst` runs when the first table has committed, before
 * any lane is handed another (the pauseAt('load') test hook). The first failure stops every
 * lane (see `fail`) and is thrown once they have all ended.
 */
export function loadInLanes(
  world: World,
  all: readonly TableSeed[],
  seeds: readonly number[],
  jobs: number,
  data: LaneData,
  options: TableLoadOptions,
  afterFirst: () => Promise<void>,
): Promise<TableResult[]> {
  const queue = [...seeds].sort((a, b) => size(all[b]!, world) - size(all[a]!, world) || a - b);
  const results = new Map<number, TableResult>();
  interface Lane { worker: Worker; current?: number; exited: boolean }
  const lanes: Lane[] = [];
  let failure: unknown;
  let gate: Promise<void> | undefined;

  return new Promise<TableResult[]>((resolve, reject) => {
    const settle = () => {
      if (exiting || !lanes.every((l) => l.exited)) return;
      if (failure !== undefined) reject(failure);
      else resolve(seeds.map((s) => results.get(s)!));
    };
    // Not Worker.terminate(): a lane hashing passwords (argon2, a native addon) aborts the whole
    // process when its thread is torn down under it. Each lane is told to give up instead: its COPY
    // fails at the next chunk (CopyFail), its transaction rolls back and it ends by itself, so
    // that no lane holds a lock when the cleanup empties the tables.
    const fail = (error: unknown) => {
      if (failure !== undefined) return;
      failure = error;
      queue.length = 0;
      for (const lane of lanes) if (!lane.exited) lane.worker.postMessage({ kind: 'abort' } satisfies ToLane);
    };
    const dispatch = async (lane: Lane) => {
      if (gate) await gate;
      const next = failure === undefined ? queue.shift() : undefined;
      lane.current = next;
      lane.worker.postMessage(next === undefined ? ({ kind: 'stop' } satisfies ToLane) : ({ kind: 'table', seed: next } satisfies ToLane));
    };
    const lanesNeeded = Math.min(jobs, queue.length);
    for (let i = 0; i < lanesNeeded; i++) {
      const worker = new Worker(BOOTSTRAP, { workerData: data, resourceLimits: LANE_HEAP });
      const lane: Lane = { worker, exited: false };
      lanes.push(lane);
      running.add(worker);
      worker.on('message', (message: FromLane) => {
        switch (message.kind) {
          case 'ready':
            void dispatch(lane);
            break;
          case 'start':
            options.onTableStart?.(message.table, message.expected);
            break;
          case 'rows':
            options.onRows?.(message.table, message.rows);
            break;
          case 'done':
            results.set(lane.current!, message.result);
            options.onTableDone?.(message.result);
            if (results.size === 1) gate = afterFirst();
            void dispatch(lane);
            break;
          case 'failed':
            fail(laneError(message.error));
            break;
        }
      });
      worker.on('error', (error) =>
        fail(new EcomdbError('E_SEED_FAILED', `a loading lane failed: ${error.message}`, { hint: data.kept, cause: error })),
      );
      worker.on('exit', (code) => {
        lane.exited = true;
        running.delete(worker);
        // A lane ends by itself only when told to stop, after its last table.
        if (failure === undefined && (lane.current !== undefined || queue.length > 0)) {
          fail(new EcomdbError('E_SEED_FAILED', `a loading lane ended unexpectedly (exit code ${code})`, { hint: data.kept }));
        }
        settle();
      });
    }
    if (lanesNeeded === 0) resolve([]);
  });
}

function size(seed: TableSeed, world: World): number {
  return seed.kind === 'copy' ? seed.expected(world) : 0;
}

/**
 * Run `work` on every item over `jobs` sessions of `db` (one pool, on this thread), each session
 * taking the next item when it is done with one. The first failure stops the handing out (items
 * under way finish) and is thrown once every session is idle.
 */
export async function inParallel<T>(db: Database, jobs: number, items: readonly T[], work: (session: Session, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = (session: Session) => async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(session, item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, () =>
      db.session((session) => lane(session)()).catch((error: unknown) => {
        failure ??= { error };
      }),
    ),
  );
  if (failure) throw failure.error;
}
