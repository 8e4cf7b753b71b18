// What every bench script needs from its command line and its process: `--name value`
// options and the CPU seconds used so far (user + system; the machine is shared).

/** The value after `--name`, or `def` when absent. */
export function argValue(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
