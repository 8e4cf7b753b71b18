// Command-line parsing for one command: `--name value`, `--name=value`, boolean flags,
// `--` to end options, and positionals. Every mistake is a UsageError naming the fix.
import { UsageError } from './output';

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  description: string;
  /** Shown in help as `--name VALUE`. */
  valueName?: string;
  choices?: readonly string[];
  integer?: boolean;
  /** Smallest allowed number (inclusive). */
  min?: number;
  /** Largest allowed number (inclusive). */
  max?: number;
  /** May be given more than once (values collected in order). */
  repeatable?: boolean;
  /** Shown in help. */
  defaultText?: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** e.g. `wordlens eval --model DIR <file...>` */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments: their name in messages and how many are allowed. */
  positionals: { name: string; min: number; max: number };
  /** Extra help text (examples, notes). */
  details?: string;
}

/** Options every command takes. */
const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print one JSON object per line; the last one is the result' },
  help: { type: 'boolean', description: 'show this help' },
};

export class Args {
  constructor(
    readonly spec: CommandSpec,
    readonly positionals: string[],
    private readonly values: Map<string, (string | number | boolean)[]>,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  flag(name: string): boolean {
    return this.values.get(name)?.[0] === true;
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const v = this.values.get(name)?.[0];
    return v === undefined ? fallback : String(v);
  }

  strings(name: string): string[] {
    return (this.values.get(name) ?? []).map(String);
  }

  number(name: string): number | undefined;
  number(name: string, fallback: number): number;
  number(name: string, fallback?: number): number | undefined {
    const v = this.values.get(name)?.[0];
    return v === undefined ? fallback : (v as number);
  }

  /** A string option that must be present. */
  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new UsageError(`${this.spec.name}: missing --${name} (${this.spec.usage})`);
    return v;
  }
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Args {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const values = new Map<string, (string | number | boolean)[]>();
  const positionals: string[] = [];
  const see = `see 'wordlens ${spec.name} --help'`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      values.set('help', [true]);
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) throw new UsageError(`${spec.name}: unknown option ${arg} (${see})`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const opt = options[name];
    if (!opt) throw new UsageError(`${spec.name}: unknown option --${name} (${see})`);
    let raw: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let value: string | number | boolean;
    if (opt.type === 'boolean') {
      if (raw !== undefined && !['true', 'false'].includes(raw)) throw new UsageError(`${spec.name}: --${name} takes no value`);
      value = raw !== 'false';
    } else {
      if (raw === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`${spec.name}: --${name} needs a value (${optionUsage(name, opt)})`);
        raw = argv[++i];
      }
      value = opt.type === 'number' ? parseNumber(spec.name, name, raw, opt) : raw;
      if (opt.choices && !opt.choices.includes(raw)) {
        throw new UsageError(`${spec.name}: --${name} must be one of ${opt.choices.join(', ')} (got "${raw}")`);
      }
    }
    if (values.has(name) && !opt.repeatable) throw new UsageError(`${spec.name}: --${name} given twice`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const args = new Args(spec, positionals, values);
  if (args.flag('help')) return args;
  for (const [name, opt] of Object.entries(spec.options)) {
    if (opt.required && !values.has(name)) throw new UsageError(`${spec.name}: missing --${name} (usage: ${spec.usage})`);
  }
  const { name: what, min, max } = spec.positionals;
  if (positionals.length < min) throw new UsageError(`${spec.name}: missing ${what} (usage: ${spec.usage})`);
  if (positionals.length > max) {
    const extra = positionals[max];
    throw new UsageError(`${spec.name}: unexpected argument "${extra}" (usage: ${spec.usage})`);
  }
  return args;
}

function parseNumber(command: string, name: string, raw: string, opt: OptionSpec): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  const kind = opt.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(n) || (opt.integer && !Number.isInteger(n))) {
    throw new UsageError(`${command}: --${name} must be ${kind} (got "${raw}")`);
  }
  if (opt.min !== undefined && n < opt.min) throw new UsageError(`${command}: --${name} must be at least ${opt.min} (got ${raw})`);
  if (opt.max !== undefined && n > opt.max) throw new UsageError(`${command}: --${name} must be at most ${opt.max} (got ${raw})`);
  return n;
}

function optionUsage(name: string, opt: OptionSpec): string {
  if (opt.type === 'boolean') return `--${name}`;
  return `--${name} ${opt.choices ? opt.choices.join('|') : (opt.valueName ?? opt.type.toUpperCase())}`;
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const rows = Object.entries(options).map(([name, opt]) => {
    const extra = [opt.required ? 'required' : '', opt.defaultText ? `default ${opt.defaultText}` : ''].filter(Boolean).join(', ');
    return [optionUsage(name, opt), opt.description + (extra ? ` (${extra})` : '')];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = [
    `${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
  ];
  if (spec.details) lines.push('', spec.details.trimEnd());
  return lines.join('\n') + '\n';
}
