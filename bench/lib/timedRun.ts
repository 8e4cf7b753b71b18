// A child process run to completion with its wall and CPU seconds (GNU time: user + sys of it
// and its children), for benches that compare whole CLI runs on a machine that may be shared.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface Ran {
  stdout: string;
  wallS: number;
  cpuS: number;
}

/**
 * Runs a command to completion, its CPU time (user + sys of it and its children) measured by
 * GNU time: on a shared machine, CPU seconds say more than wall seconds. Its stderr is passed
 * through so long runs show progress; its stdout is collected (`onLine` sees each line).
 */
export function run(cmd: string, args: string[], onLine: (line: string) => void = () => {}, cwd = process.cwd()): Promise<Ran> {
  const timeFile = path.join(tmpdir(), `wordlens-quality-time-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      lines.forEach(onLine);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      let cpuS = NaN;
      try {
        const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
        cpuS = user + sys;
        rmSync(timeFile, { force: true });
      } catch {
        // time not written (the command could not start): the exit code below says why
      }
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
      else resolve({ stdout, wallS, cpuS });
    });
  });
}

export function lastJson(stdout: string, what: string): Record<string, any> {
  const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  if (!lines.length) throw new Error(`${what}: no JSON line in its output`);
  return JSON.parse(lines[lines.length - 1]);
}

