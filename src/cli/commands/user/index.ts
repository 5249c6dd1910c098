/** `ecomdb user ...`: operations on one marketplace account that only an operator may run. */
import { Command } from 'commander';
import { erase } from './erase.ts';

export function userCommand(): Command {
  const root = new Command('user').description('operations on one marketplace account (erasure of its personal data)');
  root.addCommand(erase());
  return root;
}
