/** Sessions of the seven roles in the shared Redis (a prefix of this run): TTL, sliding expiry, sign-out. */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheClient } from '../../src/cache/client.ts';
import { Sessions, SESSION_ROLES } from '../../src/cache/sessions.ts';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, uniquePrefix } from './redis.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = uniquePrefix('sessions');
let client: CacheClient;

beforeAll(async () => {
  client = await CacheClient.connect({ url: SHARED_REDIS_URL, prefix });
});
afterAll(async () => {
  await client?.close();
  await deletePrefix(SHARED_REDIS_URL, prefix);
});

describe('sessions', () => {
  it('every one of the seven roles signs in; an unknown role is refused', async () => {
    const sessions = new Sessions(client);
    expect(SESSION_ROLES).toHaveLength(7);
    for (const [i, role] of SESSION_ROLES.entries()) {
      const token = await sessions.create({ region: 'MLA', userId: i + 1, role });
      expect(await sessions.touch(token)).toMatchObject({ region: 'MLA', userId: i + 1, role });
    }
    await expect(sessions.create({ region: 'MLA', userId: 1, role: 'root' as never })).rejects.toMatchObject({ code: 'E_ACCESS_INVALID' });
  });

  it('Redis holds a hash of the token, not the token; the TTL slides with use; sign-out ends it', async () => {
    const sessions = new Sessions(client, 600);
    const token = await sessions.create({ region: 'MLB', userId: 42, role: 'seller' });
    const keys = (await keysUnder(SHARED_REDIS_URL, `${prefix}s:`)).join(' ');
    expect(keys).not.toContain(token);
    const redis = createClient({ url: SHARED_REDIS_URL });
    await redis.connect();
    try {
      // Used every 200 ms for 1.2 s: twice its TTL, and still there.
      for (let i = 0; i < 6; i++) {
        await sleep(200);
        expect(await sessions.touch(token)).toMatchObject({ userId: 42 });
      }
      const ttls = await Promise.all((await keysUnder(SHARED_REDIS_URL, `${prefix}s:`)).map((k) => redis.pTTL(k)));
      expect(Math.min(...ttls)).toBeGreaterThan(0); // the 600 ms session, still alive
      expect(Math.min(...ttls)).toBeLessThanOrEqual(600);
    } finally {
      redis.destroy();
    }
    expect(await sessions.end(token)).toBe(true);
    expect(await sessions.touch(token)).toBeNull();
    // Left alone past its TTL, a session ends.
    const idle = await sessions.create({ region: 'MLB', userId: 43, role: 'user' });
    await sleep(900);
    expect(await sessions.touch(idle)).toBeNull();
    expect(await sessions.touch('not-a-token')).toBeNull();
  });

  it('without Redis a session cannot be made: E_CACHE_UNREACHABLE', async () => {
    const sessions = new Sessions(CacheClient.off(prefix, 'no Redis'));
    await expect(sessions.create({ region: 'MLA', userId: 1, role: 'user' })).rejects.toMatchObject({ code: 'E_CACHE_UNREACHABLE', exitCode: 17 });
  });
});
