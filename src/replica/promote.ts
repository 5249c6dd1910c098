/**
 * Failover in the local lab: make a standby the primary with its generated promote.sh. The old
 * primary is fenced first (a clean stop, which sends the standbys every committed change), and
 * the standby must have replayed everything the old primary had written before it is promoted,
 * so no committed row is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { EcomdbError } from '../errors.ts';
import { maskUrl } from '../db/url.ts';
import { errorMessage, lagBytes, monitorClient } from './health.ts';
import { labNode, labPrimary, nodeUrl, saveLab, scriptEnv, scriptsDir, stopNode, type LabState } from './local.ts';
import { runScript } from './process.ts';

export interface PromoteResult {
  readonly newPrimary: string;
  readonly url: string;
  readonly port: number;
  readonly oldPrimary: string;
  /** True when the old primary was running and was stopped before the promotion. */
  readonly fenced: boolean;
  /** The old primary's last WAL position that the standby had replayed before promotion; null if the old primary was down. */
  readonly caughtUpTo: string | null;
  /** The new primary's WAL position after promotion. */
  readonly lsn: string;
  /** Nodes that still follow the old primary and need to be pointed at the new one. */
  readonly orphans: readonly string[];
  readonly ms: number;
}

async function query<T>(url: string, text: string): Promise<T> {
  const sql = monitorClient(url);
  try {
    const [row] = await sql.unsafe(text);
    return row as T;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export async function promoteLab(state: LabState, name: string, options: { waitMs?: number; onStep?: (line: string) => void } = {}): Promise<PromoteResult> {
  const started = Date.now();
  const onStep = options.onStep ?? (() => {});
  const node = labNode(state, name);
  const old = labPrimary(state);
  if (node.kind !== 'standby') {
    throw new EcomdbError('E_REPLICA_NOT_FOUND', `${name} is a ${node.kind}, not a standby`, {
      hint: `promote one of: ${state.nodes.filter((n) => n.kind === 'standby').map((n) => n.name).join(', ') || '(no standby left)'}`,
    });
  }
  const standbyUrl = nodeUrl(state, name, 'postgres');
  const standby = await query<{ in_recovery: boolean }>(standbyUrl, 'select pg_is_in_recovery() as in_recovery').catch((error: unknown) => {
    throw new EcomdbError('E_REPLICA_NODE_DOWN', `${name} does not answer: ${errorMessage(error)}`, { hint: 'start it, or promote another standby' });
  });
  if (!standby.in_recovery) throw new EcomdbError('E_REPLICA_NOT_FOUND', `${name} is not in recovery: it is not a standby any more`);

  // Fencing: stop the old primary cleanly, then wait until the standby has replayed all it wrote.
  let caughtUpTo: string | null = null;
  const before = await query<{ lsn: string }>(nodeUrl(state, old.name, 'postgres'), 'select pg_current_wal_lsn()::text as lsn').catch(() => null);
  const fenced = before !== null;
  if (before) {
    onStep(`fence ${old.name}: stop it cleanly, which sends its standbys every change`);
    if (!(await stopNode(state, old.name, 'fast'))) {
      throw new EcomdbError('E_REPLICA_NODE_DOWN', `cannot stop ${old.name}; ${name} was not promoted (two primaries would diverge)`, {
        hint: `stop ${old.name} by hand (pg_ctl stop), then promote again`,
      });
    }
    const deadline = Date.now() + (options.waitMs ?? 30_000);
    onStep(`wait until ${name} has replayed ${old.name}'s WAL up to ${before.lsn}`);
    for (;;) {
      const { lsn } = await query<{ lsn: string }>(standbyUrl, 'select pg_last_wal_replay_lsn()::text as lsn');
      if (lagBytes(before.lsn, lsn) === 0) {
        caughtUpTo = lsn;
        break;
      }
      if (Date.now() > deadline) {
        throw new EcomdbError('E_REPLICA_TIMEOUT', `${name} replayed only up to ${lsn} of ${before.lsn} within ${(options.waitMs ?? 30_000) / 1000}s; not promoted`, {
          hint: `${old.name} is stopped: check ${name}'s log, then promote again`,
        });
      }
      await sleep(100);
    }
  }

  await runScript(join(scriptsDir(state), name, 'promote.sh'), `${name}/promote.sh`, scriptEnv(state), onStep);
  const { lsn } = await query<{ lsn: string }>(standbyUrl, 'select pg_current_wal_lsn()::text as lsn');
  old.kind = 'former-primary';
  node.kind = 'primary';
  saveLab(state);
  const orphans = state.nodes.filter((n) => n.kind === 'standby' || n.kind === 'read-node').map((n) => n.name);
  return {
    newPrimary: name,
    url: maskUrl(nodeUrl(state, name)),
    port: node.port,
    oldPrimary: old.name,
    fenced,
    caughtUpTo,
    lsn,
    orphans,
    ms: Date.now() - started,
  };
}
