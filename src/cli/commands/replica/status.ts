/** `ecomdb replica status`: each node's role, lag, slot and subscription. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { readLab } from '../../../replica/local.ts';
import { labStatus, type NodeStatus } from '../../../replica/status.ts';
import { contextOf } from '../../context.ts';
import { dirOption } from './common.ts';

const bytes = (n: number | null) => (n === null ? '?' : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`);
const seconds = (n: number | null) => (n === null ? '?' : `${n.toFixed(3)} s`);

function describeNode(n: NodeStatus): string[] {
  const slot = n.slot ? `${n.slot.name} ${n.slot.active ? 'active' : 'inactive'}${n.slot.walStatus ? `, ${n.slot.walStatus}` : ''}` : '';
  const s = n.subscription;
  const subscription = s ? `${s.state} (${s.tablesReady}/${s.tables} tables${s.applyErrors + s.syncErrors > 0 ? `, ${s.applyErrors + s.syncErrors} errors` : ''})` : '';
  return [n.name, n.kind, n.up ? n.role : 'down', String(n.port), n.up ? bytes(n.lagBytes) : '', n.up ? seconds(n.lagSeconds) : '', slot, subscription];
}

export function status(): Command {
  return new Command('status')
    .description('each node\'s role, lag (bytes and time), replication slot and subscription, in the local read layer')
    .addOption(dirOption())
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica status\n  $ ecomdb replica status --dir /tmp/ecomdb-lab --json')
    .action(async (flags: { dir: string }, command: Command) => {
      const { output } = contextOf(command);
      const result = await labStatus(readLab(flags.dir));
      output.info(`read layer in ${resolve(flags.dir)}; primary: ${result.primary} (WAL at ${result.primaryLsn ?? '?'})`);
      output.table(['node', 'kind', 'role', 'port', 'lag', 'lag time', 'slot', 'subscription'], result.nodes.map(describeNode));
      for (const n of result.nodes.filter((x) => x.error)) output.warn(`${n.name}: ${n.error}`);
      output.data(result);
    });
}
