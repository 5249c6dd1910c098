/**
 * The state of every node of the read layer: whether it answers, its role as the server itself
 * reports it, how far behind the primary it is (bytes of WAL, and time), the primary's slot for
 * it, and a read node's subscription. Reads only; never fails because a node is down.
 */
import type postgres from 'postgres';
import { errorMessage, lagBytes, monitorClient } from './health.ts';
import { labPrimary, nodeUrl, type LabNode, type LabState } from './local.ts';
import { slotName, subscriptionName } from './topology.ts';

export interface SlotStatus {
  readonly name: string;
  readonly type: string;
  readonly active: boolean;
  /** reserved, extended, unreserved or lost (max_slot_wal_keep_size exceeded). */
  readonly walStatus: string | null;
  /** WAL the primary keeps for this slot. */
  readonly retainedBytes: number | null;
}

export interface SubscriptionStatus {
  readonly name: string;
  readonly enabled: boolean;
  readonly workerRunning: boolean;
  readonly tables: number;
  readonly tablesReady: number;
  readonly applyErrors: number;
  readonly syncErrors: number;
  /** streaming: every table copied and the apply worker runs; copying: initial copy under way. */
  readonly state: 'streaming' | 'copying' | 'stopped' | 'disabled';
}

export interface NodeStatus {
  readonly name: string;
  readonly kind: LabNode['kind'];
  readonly port: number;
  readonly up: boolean;
  /** What the server says it is: a standby is in recovery; a read node is a primary of its own that subscribes. */
  readonly role: 'primary' | 'standby' | 'read-node' | 'down';
  /** Bytes of the primary's WAL not yet replayed (standby) or applied (read node); null when unknown. */
  readonly lagBytes: number | null;
  /** The primary's measure of replay delay (pg_stat_replication.replay_lag); 0 when caught up and idle; null when not connected. */
  readonly lagSeconds: number | null;
  /** The primary's view of the connection: streaming, catchup, startup, or null when not connected. */
  readonly replication: string | null;
  readonly slot: SlotStatus | null;
  readonly subscription: SubscriptionStatus | null;
  readonly error?: string;
}

export interface ReplicaStatus {
  readonly primary: string;
  readonly primaryLsn: string | null;
  readonly nodes: readonly NodeStatus[];
}

interface NodeFacts {
  inRecovery: boolean;
  replayLsn: string | null;
  subscription: SubscriptionStatus | null;
}

async function nodeFacts(sql: postgres.Sql, node: LabNode): Promise<NodeFacts> {
  const [row] = await sql<{ in_recovery: boolean; replay_lsn: string | null }[]>`
    select pg_is_in_recovery() as in_recovery, pg_last_wal_replay_lsn()::text as replay_lsn`;
  let subscription: SubscriptionStatus | null = null;
  const [sub] = await sql<
    { name: string; enabled: boolean; worker: boolean; tables: number; ready: number; apply_errors: number; sync_errors: number }[]
  >`
    select s.subname as name, s.subenabled as enabled, w.pid is not null as worker,
           (select count(*) from pg_subscription_rel r where r.srsubid = s.oid)::int as tables,
           (select count(*) from pg_subscription_rel r where r.srsubid = s.oid and r.srsubstate = 'r')::int as ready,
           coalesce(st.apply_error_count, 0)::int as apply_errors, coalesce(st.sync_error_count, 0)::int as sync_errors
    from pg_subscription s
    left join pg_stat_subscription w on w.subid = s.oid and w.relid is null
    left join pg_stat_subscription_stats st on st.subid = s.oid
    where s.subname = ${subscriptionName(node)}`;
  if (sub) {
    const state = !sub.enabled ? 'disabled' : !sub.worker ? 'stopped' : sub.ready < sub.tables ? 'copying' : 'streaming';
    subscription = {
      name: sub.name,
      enabled: sub.enabled,
      workerRunning: sub.worker,
      tables: sub.tables,
      tablesReady: sub.ready,
      applyErrors: sub.apply_errors,
      syncErrors: sub.sync_errors,
      state,
    };
  }
  return { inRecovery: row!.in_recovery, replayLsn: row!.replay_lsn, subscription };
}

interface PrimaryFacts {
  lsn: string;
  replication: Map<string, { state: string; replayLsn: string | null; lagSeconds: number | null }>;
  slots: Map<string, SlotStatus & { confirmedLsn: string | null }>;
}

async function primaryFacts(sql: postgres.Sql): Promise<PrimaryFacts> {
  const [current] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  const lsn = current!.lsn;
  const senders = await sql<{ name: string; state: string; replay_lsn: string | null; lag: number | null }[]>`
    select application_name as name, state, replay_lsn::text as replay_lsn, extract(epoch from replay_lag)::float8 as lag
    from pg_stat_replication`;
  const slots = await sql<
    { name: string; type: string; active: boolean; wal_status: string | null; retained: string | null; confirmed: string | null }[]
  >`
    select slot_name as name, slot_type as type, active, wal_status,
           pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(confirmed_flush_lsn, restart_lsn))::bigint::text as retained,
           confirmed_flush_lsn::text as confirmed
    from pg_replication_slots`;
  return {
    lsn,
    replication: new Map(senders.map((s) => [s.name, { state: s.state, replayLsn: s.replay_lsn, lagSeconds: s.lag }])),
    slots: new Map(
      slots.map((s) => [
        s.name,
        { name: s.name, type: s.type, active: s.active, walStatus: s.wal_status, retainedBytes: s.retained === null ? null : Number(s.retained), confirmedLsn: s.confirmed },
      ]),
    ),
  };
}

async function ask<T>(url: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T | Error> {
  const sql = monitorClient(url);
  try {
    return await work(sql);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** The status of every node of a local read layer. */
export async function labStatus(state: LabState): Promise<ReplicaStatus> {
  const primaryNode = labPrimary(state);
  // Replicas first, then the primary: a lag read this way can only overstate, never hide, a delay.
  const facts = await Promise.all(state.nodes.map((n) => ask(nodeUrl(state, n.name, n.kind === 'read-node' ? state.database : 'postgres'), (sql) => nodeFacts(sql, n))));
  const primary = await ask(nodeUrl(state, primaryNode.name, 'postgres'), primaryFacts);
  const p = primary instanceof Error ? null : primary;

  const nodes = state.nodes.map((node, i): NodeStatus => {
    const f = facts[i]!;
    const base = { name: node.name, kind: node.kind, port: node.port };
    if (f instanceof Error) {
      return { ...base, up: false, role: 'down', lagBytes: null, lagSeconds: null, replication: null, slot: null, subscription: null, error: errorMessage(f) };
    }
    const role = f.inRecovery ? 'standby' : f.subscription ? 'read-node' : 'primary';
    if (node.name === primaryNode.name || !p) {
      return { ...base, up: true, role, lagBytes: node.name === primaryNode.name ? 0 : null, lagSeconds: node.name === primaryNode.name ? 0 : null, replication: null, slot: null, subscription: f.subscription };
    }
    const sender = p.replication.get(node.kind === 'read-node' ? subscriptionName(node) : node.name);
    const slot = p.slots.get(slotName(node)) ?? null;
    const behind = f.inRecovery ? f.replayLsn : (sender?.replayLsn ?? slot?.confirmedLsn ?? null);
    const bytes = behind ? lagBytes(p.lsn, behind) : null;
    // PostgreSQL shows no lag time once a connected replica has caught up and the primary is idle.
    const seconds = sender ? (sender.lagSeconds ?? 0) : null;
    const slotStatus = slot ? { name: slot.name, type: slot.type, active: slot.active, walStatus: slot.walStatus, retainedBytes: slot.retainedBytes } : null;
    return { ...base, up: true, role, lagBytes: bytes, lagSeconds: seconds, replication: sender?.state ?? null, slot: slotStatus, subscription: f.subscription };
  });
  return { primary: primaryNode.name, primaryLsn: p?.lsn ?? null, nodes };
}
