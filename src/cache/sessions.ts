/**
 * Sessions of signed-in users of the seven roles, in Redis with a TTL that slides: every use of a
 * session pushes its expiry back by the whole TTL (GETEX), so an idle session ends and an active
 * one does not. The token is 32 random bytes (base64url) handed to the user; Redis holds only its
 * SHA-256, so whoever reads Redis cannot take over a session.
 *
 * Sessions live only in Redis: with Redis down, creating or reading one fails with
 * E_CACHE_UNREACHABLE (the application decides whether to ask the user to sign in again).
 *
 * @example
 *   const sessions = new Sessions(layer.client);
 *   const token = await sessions.create({ region: 'MLA', userId: 7, role: 'seller' });
 *   const who = await sessions.touch(token); // { region: 'MLA', userId: 7, role: 'seller', ... } or null
 */
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type SiteId } from '../../schema/values.ts';
import { id, oneOf, site } from '../access/guard.ts';
import { EcomdbError } from '../errors.ts';
import type { CacheClient } from './client.ts';

export type SessionRole = (typeof ROLES)[number]['name'];
export const SESSION_ROLES: readonly SessionRole[] = ROLES.map((r) => r.name);

/** How long an unused session lives (default 30 minutes). */
export const SESSION_TTL_MS = 30 * 60_000;

export interface SessionData {
  readonly region: SiteId;
  readonly userId: number;
  readonly role: SessionRole;
  /** When the user signed in (ms since the epoch). */
  readonly createdAt: number;
}

export class Sessions {
  constructor(
    private readonly client: CacheClient,
    readonly ttlMs: number = SESSION_TTL_MS,
  ) {}

  private key(token: string): string {
    return this.client.keys.session(createHash('sha256').update(token).digest('base64url'));
  }

  private unavailable(): EcomdbError {
    return new EcomdbError('E_CACHE_UNREACHABLE', `sessions need Redis, which is ${this.client.state === 'off' ? 'off' : 'not answering'}`, {
      hint: 'start Redis (or point --redis-url / REDIS_URL at one) and sign in again',
    });
  }

  /** Sign a user in: a new session and its token. */
  async create(user: { readonly region: SiteId; readonly userId: number; readonly role: SessionRole }): Promise<string> {
    const data: SessionData = { region: site(user.region), userId: id('userId', user.userId), role: oneOf('role', user.role, SESSION_ROLES), createdAt: Date.now() };
    const token = randomBytes(32).toString('base64url');
    const ok = await this.client.run((r) => r.set(this.key(token), JSON.stringify(data), { expiration: { type: 'PX', value: this.ttlMs } }));
    if (ok === undefined) throw this.unavailable();
    return token;
  }

  /** The session of `token`, its expiry pushed back by the TTL; null when it ended or never was. */
  async touch(token: string): Promise<SessionData | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 100) return null;
    const raw = await this.client.run((r) => r.getEx(this.key(token), { type: 'PX', value: this.ttlMs }));
    if (raw === undefined) throw this.unavailable();
    return raw === null ? null : (JSON.parse(raw) as SessionData);
  }

  /** Sign out; whether there was a session. */
  async end(token: string): Promise<boolean> {
    const n = await this.client.run((r) => r.del(this.key(token)));
    if (n === undefined) throw this.unavailable();
    return n === 1;
  }
}
