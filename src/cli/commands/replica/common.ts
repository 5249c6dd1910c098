/** What the replica subcommands share: the working folder option and the --local guard. */
import { Option } from 'commander';
import { EcomdbError } from '../../../errors.ts';
import { DEFAULT_LAB_DIR } from '../../../replica/local.ts';

export const dirOption = () => new Option('--dir <dir>', 'working folder of the local read layer').default(DEFAULT_LAB_DIR);

export function requireLocal(local: boolean | undefined, verb: string): void {
  if (!local) {
    throw new EcomdbError('E_USAGE', `replica ${verb} needs --local: ecomdb ${verb === 'up' ? 'builds' : 'removes'} the read layer on this machine only`, {
      hint: 'for servers, run the scripts in replicas/ (see replicas/README.md)',
    });
  }
}
