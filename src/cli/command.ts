// The shape of one CLI command: its spec (options, help) and what it does.
import type { Args, CommandSpec } from './args';
import type { Output } from './output';

export interface Command {
  spec: CommandSpec;
  run(args: Args, out: Output): Promise<void>;
}
