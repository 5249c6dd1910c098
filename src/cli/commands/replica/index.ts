/** `ecomdb replica`: the read layer: generate its scripts, build it on this machine, watch it, fail over. */
import { Command } from 'commander';
import { DEFAULT_LAB_DIR } from '../../../replica/local.ts';
import { down } from './down.ts';
import { generate } from './generate.ts';
import { promote } from './promote.ts';
import { status } from './status.ts';
import { up } from './up.ts';

export function replicaCommand(): Command {
  return new Command('replica')
    .description('the read layer: a primary, physical standbys and regional read nodes (scripts, a local build, status, failover)')
    .addCommand(generate())
    .addCommand(up())
    .addCommand(down())
    .addCommand(status())
    .addCommand(promote())
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb replica generate                  # scripts for a DBA, in replicas/
  $ ecomdb replica up --local                # build it here, in ./${DEFAULT_LAB_DIR}
  $ ecomdb replica status --json
  $ ecomdb replica promote standby1
  $ ecomdb replica down --local`,
    );
}
