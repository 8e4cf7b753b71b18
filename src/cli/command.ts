// The shape of one CLI command: its spec (options, help) and what it does.
import type { Args, CommandSpec, OptionSpec } from './args';
import { fmt, type Output } from './output';

export interface Command {
  spec: CommandSpec;
  run(args: Args, out: Output): Promise<void>;
}

/** The --model option of every command that reads a model folder. */
export const MODEL_OPTION: OptionSpec = { type: 'string', valueName: 'DIR', description: 'model folder', required: true };

/** A scored word list as the CLI prints it: score right-aligned, then the word. */
export function scoredLines(header: string, rows: readonly { word: string; score: number }[]): string {
  return [header, ...rows.map((n) => `  ${fmt(n.score).padStart(8)}  ${n.word}`)].join('\n');
}

/** --k: how many words a nearest-words command lists (10 by default). */
export function countOption(what: string): OptionSpec {
  return { type: 'number', integer: true, min: 1, description: `how many ${what}`, defaultText: '10' };
}
