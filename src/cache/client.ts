/**
 * The one place that talks to Redis (the official `redis` client). Every command has a short
 * timeout; a command that fails or times out is counted and the caller goes on without the cache
 * (the read goes to PostgreSQL); a lost connection or three failures in a row mark Redis down. While down, nothing is sent; a probe pings every
 * PROBE_MS and, when Redis answers again, replaces the epoch before the cache is used again, so
 * that no value written before the outage (whose invalidations may have been missed) is served
 * (docs/design.md, 'The cache layer').
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { EcomdbError } from '../errors.ts';
import { CacheKeys, lsnKey } from './keys.ts';

/** Redis when neither --redis-url nor REDIS_URL says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisTarget {
  readonly url: string;
  /** Given by --redis-url or REDIS_URL (a failure to reach it is then worth a warning, not a silent off). */
  readonly explicit: boolean;
}

/** --redis-url, else REDIS_URL, else the default; pure, like resolveTarget for the database. */
export function resolveRedisTarget(options: { redisUrl?: string }, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const url = options.redisUrl ?? env.REDIS_URL;
  return url ? { url, explicit: true } : { url: DEFAULT_REDIS_URL, explicit: false };
}

/** The URL without its password, safe to print. */
export function maskRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export interface CacheClientOptions {
  readonly url: string;
  readonly prefix: string;
  /** How long a command may take before the read goes to PostgreSQL (default 200 ms); three in a row mark Redis down. */
  readonly timeoutMs?: number;
  /** How long the first connection may take (default 1000 ms). */
  readonly connectTimeoutMs?: number;
  /** The primary's current WAL position, read when a new epoch begins (refills must have replayed it). */
  readonly primaryLsn?: () => Promise<string | null>;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  /** Values written after a miss. */
  fills: number;
  /** Fills refused because a tag was invalidated (or the epoch changed) while the value was read. */
  fillsRefused: number;
  /** Database reads made for misses (a single flight makes one for many misses). */
  loads: number;
  /** Reads that went to PostgreSQL without the cache because Redis was down. */
  bypassed: number;
  /** Redis commands that failed or timed out (never thrown to callers). */
  errors: number;
  /** Times Redis was found down. */
  outages: number;
  /** New epochs begun (after each outage). */
  epochs: number;
}

export type CacheState = 'up' | 'down' | 'off';

const PROBE_MS = 200;
/**
 * Failed or timed-out commands in a row that mark Redis down. One slow answer on a loaded machine
 * only sends that read to PostgreSQL; a lost connection marks it down at once.
 */
const FAILURES_TO_DOWN = 3;
/** After the first connection, reconnect attempts never give up, at most this far apart. */
const RECONNECT_MAX_MS = 500;

function makeRedis(options: CacheClientOptions, connected: () => boolean) {
  return createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 1000,
      reconnectStrategy: (retries: number, cause: Error) => (connected() ? Math.min(50 * 2 ** retries, RECONNECT_MAX_MS) : retries >= 2 ? cause : 100),
    },
  });
}

type Redis = ReturnType<typeof makeRedis>;

class RedisTimeout extends Error {}

/**
 * `work`, or a RedisTimeout after `ms`. The client's own command timeout did not fire against a
 * server that stopped answering (SIGSTOP) in redis 6.3.1, so the wait is bounded here; an
 * abandoned command's reply still arrives in order and is dropped.
 */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeout(`Redis did not answer within ${ms} ms`)), ms);
  });
  work.catch(() => {}); // a late failure of an abandoned command is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** How long a command of the cache layer may wait for Redis before the read goes to PostgreSQL. */
export const DEFAULT_TIMEOUT_MS = 200;

/** How long a cache command (`ecomdb cache ...`) may wait for Redis. */
const COMMAND_TIMEOUT_MS = 5000;

export class CacheClient {
  readonly keys: CacheKeys;
  readonly counters: CacheCounters = { hits: 0, misses: 0, fills: 0, fillsRefused: 0, loads: 0, bypassed: 0, errors: 0, outages: 0, epochs: 0 };
  private stateNow: CacheState;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  private failuresInARow = 0;

  private constructor(
    private readonly redis: Redis | null,
    prefix: string,
    private readonly options: Partial<CacheClientOptions>,
    /** Why the cache is off, when it is. */
    readonly offReason: string | null,
  ) {
    this.keys = new CacheKeys(prefix);
    this.stateNow = redis ? 'up' : 'off';
    redis?.on('error', () => {
      if (this.stateNow === 'up') this.counters.errors++;
      this.markDown();
    });
  }

  /** A client with the cache off (no Redis): every read goes to PostgreSQL. */
  static off(prefix: string, reason: string): CacheClient {
    return new CacheClient(null, prefix, {}, reason);
  }

  /**
   * Connect, or throw E_CACHE_UNREACHABLE when Redis does not answer within connectTimeoutMs.
   * Once connected, a lost connection is retried for ever (the cache is down meanwhile).
   */
  static async connect(options: CacheClientOptions): Promise<CacheClient> {
    let connected = false;
    const redis = makeRedis(options, () => connected);
    let firstError: unknown;
    redis.on('error', (error) => (firstError ??= error));
    try {
      await redis.connect();
      connected = true;
    } catch (error) {
      try {
        redis.destroy();
      } catch {
        // never opened
      }
      throw unreachable(options.url, firstError ?? error);
    }
    const client = new CacheClient(redis, options.prefix, options, null);
    // A new prefix gets its first epoch; an existing one keeps its own.
    await client.command((r) => r.set(client.keys.epoch, randomUUID(), { condition: 'NX' }));
    return client;
  }

  /** Connect, or return a client with the cache off and the reason (never throws). */
  static async connectOrOff(options: CacheClientOptions): Promise<CacheClient> {
    try {
      return await CacheClient.connect(options);
    } catch (error) {
      return CacheClient.off(options.prefix, error instanceof Error ? error.message : String(error));
    }
  }

  get state(): CacheState {
    return this.stateNow;
  }

  get up(): boolean {
    return this.stateNow === 'up';
  }

  /**
   * Run commands on Redis; undefined when Redis is down or off, or when they fail or time out
   * (counted, Redis marked down). Never throws.
   */
  async run<T>(work: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    if (!this.redis || this.stateNow !== 'up') {
      this.counters.bypassed++;
      return undefined;
    }
    try {
      const result = await within(work(this.redis), this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      this.failuresInARow = 0;
      return result;
    } catch {
      this.counters.errors++;
      if (++this.failuresInARow >= FAILURES_TO_DOWN || !this.redis.isReady) this.markDown();
      return undefined;
    }
  }

  /** Run commands on Redis, or throw E_CACHE_UNREACHABLE/E_CACHE_FAILED: for cache commands, which must say when they could not do their work. */
  async command<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    if (!this.redis) throw unreachable(this.options.url ?? '', new Error(this.offReason ?? 'the cache is off'));
    try {
      return await within(work(this.redis), COMMAND_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof Error && /ERR|WRONGTYPE|NOSCRIPT|OOM|NOAUTH|NOPERM/.test(error.message)) {
        throw new EcomdbError('E_CACHE_FAILED', `Redis refused the command: ${error.message.split('\n')[0]}`, { hint: 'check the Redis server (memory, ACL, version 7+)', cause: error });
      }
      throw unreachable(this.options.url ?? '', error);
    }
  }

  /** Redis failed or timed out: stop using it until a probe finds it back and a new epoch begins. */
  markDown(): void {
    if (this.closed || this.stateNow !== 'up') return;
    this.stateNow = 'down';
    this.counters.outages++;
    this.probe ??= setInterval(() => void this.tryBack(), PROBE_MS);
    this.probe.unref();
  }

  private async tryBack(): Promise<void> {
    if (this.probing || this.closed || !this.redis) return;
    this.probing = true;
    try {
      if (!this.redis.isReady) return;
      const ms = (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 5;
      await within(this.redis.ping(), ms);
      await within(this.newEpoch(), ms);
      clearInterval(this.probe);
      this.probe = undefined;
      this.failuresInARow = 0;
      this.stateNow = 'up';
    } catch {
      // Still down: the next probe tries again.
    } finally {
      this.probing = false;
    }
  }

  /**
   * Begin a new epoch: values stamped with the old one are never served again, and every refill
   * must read a node that has replayed the primary's position now (floors kept in Redis may have
   * been lost with it). Throws when Redis fails.
   */
  async newEpoch(): Promise<void> {
    const lsn = (await this.options.primaryLsn?.().catch(() => null)) ?? null;
    await this.redis!.multi().set(this.keys.epoch, randomUUID()).set(this.keys.floor, lsnKey(lsn)).exec();
    this.counters.epochs++;
  }

  /** The Redis server's version and memory, for `cache status`. */
  async info(): Promise<{ version: string; usedMemory: number }> {
    const text = await this.command((r) => r.info());
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return { version: field('redis_version'), usedMemory: Number(field('used_memory')) || 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    this.stateNow = 'off';
    await this.redis?.close().catch(() => this.redis?.destroy());
  }
}

function unreachable(url: string, cause: unknown): EcomdbError {
  const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new EcomdbError('E_CACHE_UNREACHABLE', `cannot reach Redis at ${maskRedisUrl(url)}: ${why}`, {
    hint: 'start Redis there, or pass --redis-url (or set REDIS_URL) to one that runs',
    details: { url: maskRedisUrl(url) },
    cause,
  });
}
