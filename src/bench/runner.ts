/**
 * The load generator: N clients, each a loop that draws an operation from the mix, draws its
 * parameters (workload.ts) and calls the query library, for a time or a number of calls.
 *
 * Closed loop (the default): a client starts its next call when the last one returns; latency is
 * the call's own duration, and throughput is what the system gives at saturation. Open loop
 * (`rate`): calls are due at a fixed arrival rate (Poisson arrivals, seeded), shared by the
 * clients; a client takes the next due call and its latency runs from the time it was due, not
 * from when a client got to it, so queueing behind slow calls shows in the figures instead of
 * slowing the arrivals down (coordinated omission).
 *
 * A call that fails with a serialization failure (40001) or a deadlock (40P01) is retried, up to
 * MAX_RETRIES times, and counted; any other failure is counted by its code: the E_ACCESS_* code
 * of a refusal, `SQLSTATE xxxxx` of a PostgreSQL error, the driver's code of a broken connection.
 */
import type postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { asUser, openRoleSession, OPERATIONS, type AccessDb, type Acting, type RoleSession } from '../access/index.ts';
import type { RoleName } from '../../schema/security.ts';
import { postgresClient } from '../db/postgres.ts';
import { isEcomdbError } from '../errors.ts';
import { createRouter, type ReplicaHealth, type Router } from '../replica/router.ts';
import { Histogram } from './histogram.ts';
import { seeded, weightedChooser, type Random } from './keys.ts';
import type { BenchOperation, Mix } from './mix.ts';
import type { Workload } from './workload.ts';
import type { ReadCache } from '../cache/store.ts';

/** Retries of a call that met a serialization failure or a deadlock. */
export const MAX_RETRIES = 5;

// ---------------------------------------------------------------------------------------------
// Connections

/** Where a client's calls run: reads and writes, on one connection or through the router. */
export interface Executor {
  read<T>(work: (db: AccessDb) => Promise<T>): Promise<T>;
  write<T>(work: (db: AccessDb) => Promise<T>): Promise<T>;
  /** Run as a role and user on this client's connection dedicated to the role (RLS mode `session`). */
  as?<T>(acting: Acting, work: (db: AccessDb) => Promise<T>): Promise<T>;
}

/**
 * How `--rls` names the role and user: `session`, one connection per role for each client, the
 * role taken once and the user set ahead of each call (openRoleSession: no added round trip);
 * `transaction`, each call in a transaction of its own (asUser: SET LOCAL, works behind a
 * transaction-pooling pooler).
 */
export type RlsMode = 'session' | 'transaction';

export interface Connections {
  readonly executors: readonly Executor[];
  /** The replicas' health at the last check of the router; empty without replicas. */
  health(): readonly ReplicaHealth[];
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly url: string;
  readonly clients: number;
  /** Send reads to these replicas through the read/write router (src/replica/router.ts). */
  readonly replicas?: readonly string[];
  /** Open each client's role sessions (RLS mode `session`; not through the router). */
  readonly roleSessions?: boolean;
}

/**
 * One connection per client on the primary (as pgbench: a client's calls never wait for another
 * client's connection); with replicas, the router's pools (one connection per client on every
 * node), reads spread over the fit replicas and writes on the primary.
 */
export async function connect(options: ConnectOptions): Promise<Connections> {
  if (options.replicas && options.replicas.length > 0) {
    const router: Router = await createRouter({ primary: options.url, replicas: options.replicas, poolSize: options.clients });
    const drizzled = new WeakMap<postgres.Sql, AccessDb>();
    const db = (sql: postgres.Sql) => {
      let d = drizzled.get(sql);
      if (!d) drizzled.set(sql, (d = drizzle(sql) as unknown as AccessDb));
      return d;
    };
    const executor: Executor = { read: (work) => router.read((sql) => work(db(sql))), write: (work) => router.write((sql) => work(db(sql))) };
    await router.write((sql) => sql`select 1`);
    return { executors: Array.from({ length: options.clients }, () => executor), health: () => router.health(), close: () => router.close() };
  }
  const clients = Array.from({ length: options.clients }, () => postgresClient(options.url, { max: 1, idle_timeout: 0 }));
  try {
    // Connected before the clock starts: the first calls do not pay for the connection.
    await Promise.all(clients.map((sql) => sql`select 1`));
  } catch (error) {
    await Promise.all(clients.map((sql) => sql.end({ timeout: 1 }).catch(() => {})));
    throw error;
  }
  // One more connection per client and role, opened on first use and dedicated to that role.
  const sessionClients: postgres.Sql[] = [];
  const executors = clients.map((sql): Executor => {
    const db = drizzle(sql) as unknown as AccessDb;
    const executor: Executor = { read: (work) => work(db), write: (work) => work(db) };
    if (!options.roleSessions) return executor;
    const sessions = new Map<RoleName, Promise<RoleSession>>();
    const session = (role: RoleName) => {
      let s = sessions.get(role);
      if (!s) {
        const client = postgresClient(options.url, { max: 1, idle_timeout: 0 });
        sessionClients.push(client);
        sessions.set(role, (s = openRoleSession(drizzle(client) as unknown as AccessDb, role)));
      }
      return s;
    };
    return { ...executor, as: async (acting, work) => (await session(acting.role)).run(acting.userId, work) };
  });
  return {
    executors,
    health: () => [],
    close: async () => void (await Promise.all([...clients, ...sessionClients].map((sql) => sql.end({ timeout: 5 })))),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The error itself or the first of its causes that carries a code (drizzle wraps the driver's errors). */
function coded(error: unknown): { code?: unknown; severity?: unknown } | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    if (typeof (e as { code?: unknown }).code === 'string') return e as { code?: unknown; severity?: unknown };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** How a failure is counted: E_ACCESS_* of a refusal, `SQLSTATE xxxxx` of a server error, the driver's code of a connection problem. */
export function errorKey(error: unknown): string {
  if (isEcomdbError(error)) return error.code;
  const c = coded(error);
  if (c && typeof c.severity === 'string') return `SQLSTATE ${String(c.code)}`;
  if (c) return String(c.code);
  return 'E_INTERNAL';
}

/** A server error: the statement (and its transaction) failed, nothing of it was kept. */
function fromServer(error: unknown): boolean {
  return isEcomdbError(error) || typeof coded(error)?.severity === 'string';
}

const RETRYABLE = new Set(['SQLSTATE 40001', 'SQLSTATE 40P01']);

// ---------------------------------------------------------------------------------------------
// Figures

export class OperationStats {
  readonly latency = new Histogram();
  ok = 0;
  retries = 0;
  /** Draws that found nothing to act on (no order waiting in the site drawn): not run. */
  skipped = 0;
  readonly errors = new Map<string, number>();

  get failed(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }
}

export interface ProgressSample {
  readonly elapsedMs: number;
  /** Calls finished (acknowledged or failed) so far. */
  readonly done: number;
  readonly failed: number;
  readonly retries: number;
  /** Calls finished per second since the last sample. */
  readonly rate: number;
}

export interface RunOptions {
  readonly mix: Mix;
  readonly seed: number;
  /** Stop starting calls after this long (ms) ... */
  readonly durationMs?: number;
  /** ... or after this many calls in all. */
  readonly transactions?: number;
  /** Calls per second in all, for an open loop; undefined: closed loop. */
  readonly rate?: number;
  readonly progressEveryMs?: number;
  readonly onProgress?: (sample: ProgressSample) => void;
  /** Stop early (Ctrl-C): calls in flight finish, no new one starts. */
  readonly signal?: AbortSignal;
  /** Hot reads go through this cache (their `cached` form) instead of straight to the database. */
  readonly cache?: ReadCache;
  /** Run each call as its role and user, under row-level security. */
  readonly rls?: boolean;
  /** How (default `transaction`; `session` needs the executors' role sessions). */
  readonly rlsMode?: RlsMode;
  /** Each client calls every operation of the mix once, in the mix's order, before it draws (a warm-up). */
  readonly everyOperationFirst?: boolean;
}

export interface RunResult {
  readonly elapsedMs: number;
  readonly operations: ReadonlyMap<BenchOperation, OperationStats>;
  /** Open loop only: calls that started after they were due, and the largest delay. */
  readonly schedule: { readonly due: number; readonly late: number; readonly maxLagMs: number; readonly unstarted: number } | null;
  readonly stoppedEarly: boolean;
}

/** Arrival times of an open loop: Poisson at `rate` per second, seeded, from `start`. */
class Schedule {
  private next: number;
  private readonly random: Random;
  due = 0;

  constructor(
    private readonly rate: number,
    seed: number,
    start: number,
  ) {
    this.random = seeded(seed ^ 0x2545f491);
    this.next = start;
  }

  /** The time the next call is due. */
  take(): number {
    const at = this.next;
    this.next += (-Math.log(1 - this.random()) / this.rate) * 1000;
    this.due++;
    return at;
  }

  peek(): number {
    return this.next;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Run the mix on `executors` (one client each) until the time or the count is reached. */
export async function runMix(workload: Workload, executors: readonly Executor[], options: RunOptions): Promise<RunResult> {
  const operations = new Map<BenchOperation, OperationStats>(options.mix.map((e) => [e.operation, new OperationStats()]));
  const pick = weightedChooser(options.mix.map((e) => e.operation), options.mix.map((e) => e.share));
  const start = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : start + options.durationMs;
  const schedule = options.rate === undefined ? null : new Schedule(options.rate, options.seed, start);
  let started = 0;
  let done = 0;
  let late = 0;
  let maxLag = 0;
  let stopped = false;
  const stopEarly = () => void (stopped = true);
  options.signal?.addEventListener('abort', stopEarly);

  // At the deadline the run ends even with calls due and not started (an open loop that cannot
  // keep up): those are counted as unstarted, not run late for ever.
  const more = () =>
    !stopped &&
    !options.signal?.aborted &&
    (options.transactions === undefined || started < options.transactions) &&
    performance.now() < deadline &&
    (!schedule || schedule.peek() < deadline);

  async function client(index: number, executor: Executor): Promise<void> {
    const random = seeded(options.seed * 1_000_003 + index);
    const firsts = options.everyOperationFirst ? options.mix.map((e) => e.operation) : [];
    while (more()) {
      started++;
      let begin = performance.now();
      if (schedule) {
        const due = schedule.take();
        if (due > begin) await sleep(due - begin);
        const now = performance.now();
        const lag = now - due;
        if (lag > 1) late++;
        if (lag > maxLag) maxLag = lag;
        begin = due;
      }
      const operation = firsts.shift() ?? pick(random);
      const stats = operations.get(operation)!;
      const call = workload.call(operation, random);
      if (!call) {
        stats.skipped++;
        continue;
      }
      const readOnly = OPERATIONS[operation].readOnly;
      const acting = options.rls ? call.acting : undefined;
      const run = !acting
        ? call.run
        : options.rlsMode === 'session' && executor.as
          ? (_db: AccessDb) => executor.as!(acting, call.run)
          : (db: AccessDb) => asUser(db, acting, call.run, { readOnly });
      try {
        const result = options.cache && call.cached ? await call.cached(options.cache) : await attempt(run, executor, readOnly, stats);
        stats.latency.record(performance.now() - begin);
        stats.ok++;
        call.ok?.(result as never);
      } catch (error) {
        const key = errorKey(error);
        stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
        call.failed?.(!readOnly && !fromServer(error));
      }
      done++;
    }
  }

  let last = { at: start, done: 0 };
  const failedSoFar = () => [...operations.values()].reduce((n, s) => n + s.failed, 0);
  const retriesSoFar = () => [...operations.values()].reduce((n, s) => n + s.retries, 0);
  const timer = options.onProgress
    ? setInterval(() => {
        const now = performance.now();
        const rate = ((done - last.done) * 1000) / Math.max(1, now - last.at);
        last = { at: now, done };
        options.onProgress!({ elapsedMs: now - start, done, failed: failedSoFar(), retries: retriesSoFar(), rate });
      }, options.progressEveryMs ?? 1000)
    : undefined;
  try {
    await Promise.all(executors.map((e, i) => client(i, e)));
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', stopEarly);
  }
  const elapsedMs = performance.now() - start;
  const unstarted = schedule ? Math.max(0, countDue(schedule, Math.min(deadline, start + elapsedMs))) : 0;
  return {
    elapsedMs,
    operations,
    schedule: schedule ? { due: schedule.due, late, maxLagMs: maxLag, unstarted } : null,
    stoppedEarly: stopped || options.signal?.aborted === true,
  };
}

/** Calls due before `until` that no client took (the backlog at the end of an open loop). */
function countDue(schedule: Schedule, until: number): number {
  let n = 0;
  while (schedule.peek() < until && n < 10_000_000) {
    schedule.take();
    n++;
  }
  return n;
}

async function attempt(run: (db: AccessDb) => Promise<unknown>, executor: Executor, readOnly: boolean, stats: OperationStats): Promise<unknown> {
  for (let retry = 0; ; retry++) {
    try {
      return await (readOnly ? executor.read(run) : executor.write(run));
    } catch (error) {
      if (retry >= MAX_RETRIES || !RETRYABLE.has(errorKey(error))) throw error;
      stats.retries++;
    }
  }
}
