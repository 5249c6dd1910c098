/** `ecomdb replica promote <node>`: fail over in the local read layer. */
import { Command } from 'commander';
import { readLab } from '../../../replica/local.ts';
import { promoteLab } from '../../../replica/promote.ts';
import { contextOf } from '../../context.ts';
import * as parse from '../../options.ts';
import { dirOption } from './common.ts';

export function promote(): Command {
  return new Command('promote')
    .description('fail over in the local read layer: stop the primary cleanly, wait for the standby to replay all of it, promote it')
    .argument('<node>', 'the standby to promote')
    .addOption(dirOption())
    .option('--wait <seconds>', 'how long the standby may take to catch up', '30')
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica promote standby1\n  $ ecomdb replica promote standby2 --dir /tmp/ecomdb-lab --json')
    .action(async (name: string, flags: { dir: string; wait: string }, command: Command) => {
      const { output } = contextOf(command);
      const result = await promoteLab(readLab(flags.dir), name, {
        waitMs: parse.seconds(flags.wait, '--wait'),
        onStep: (line) => output.step(line),
      });
      output.success(`${result.newPrimary} is the primary now: ${result.url} (WAL at ${result.lsn})`);
      if (result.fenced) output.info(`${result.oldPrimary} was stopped first; ${result.newPrimary} had replayed it up to ${result.caughtUpTo}`);
      else output.warn(`${result.oldPrimary} was down: changes it committed last may be missing`);
      if (result.orphans.length > 0) output.warn(`${result.orphans.join(', ')} still follow ${result.oldPrimary}: rebuild them from ${result.newPrimary}`);
      output.data(result);
    });
}
