// The editor never waits on the model: while the server trains and answers inline
// completions, the extension host's event loop keeps turning. Measured with
// perf_hooks.monitorEventLoopDelay (the delay of the loop's timers) and a 5 ms heartbeat,
// first idle (the baseline of this machine and this VS Code), then under load.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';

import { activateWordlens, extensionId, fixtureCode, removeTemp, sleep, tempCorpus } from './setup';

interface Api {
  ready: Promise<{ sendRequest(method: string, params?: unknown): Promise<unknown> }>;
  inlineProvider: vscode.InlineCompletionItemProvider;
}


const CODE = fixtureCode(60);

interface Lag {
  /** Longest wall-clock gap between 5 ms heartbeats (includes time the OS ran other processes). */
  maxGapMs: number;
  /** Longest wall-clock time the loop was busy between two heartbeats (event-loop utilisation):
   * a task that did not yield, including any time the OS took the CPU away from it. */
  maxActiveMs: number;
  /** The same, counting only time the process was on the CPU: the task's own work. */
  maxBusyMs: number;
  maxDelayMs: number;
  p99DelayMs: number;
}

/** Event-loop delay while `work` runs: histogram, heartbeat gaps, and CPU spent within a gap. */
async function measure<T>(work: () => Promise<T>): Promise<Lag & { result: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let lastElu = performance.eventLoopUtilization();
  let maxGapMs = 0;
  let maxActiveMs = 0;
  let maxBusyMs = 0;
  const beat = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const elu = performance.eventLoopUtilization(lastElu);
    const gap = now - last - 5;
    maxGapMs = Math.max(maxGapMs, gap);
    maxActiveMs = Math.max(maxActiveMs, Math.min(gap, elu.active));
    // On a loaded machine a busy stretch can include the OS running other processes: the
    // part of it the process spent on the CPU is the task's own work.
    maxBusyMs = Math.max(maxBusyMs, Math.min(gap, elu.active, (cpu.user + cpu.system) / 1000));
    last = now;
    lastCpu = process.cpuUsage();
    lastElu = performance.eventLoopUtilization();
  }, 5);
  try {
    const result = await work();
    return { result, maxGapMs, maxActiveMs, maxBusyMs, maxDelayMs: histogram.max / 1e6, p99DelayMs: histogram.percentile(99) / 1e6 };
  } finally {
    clearInterval(beat);
    histogram.disable();
  }
}

suite('responsiveness', function () {
  this.timeout(180_000);
  let api: Api;
  let tmp: string;

  suiteSetup(async () => {
    if (extensionId !== 'wordlens.wordlens') this.ctx.skip?.();
    api = await activateWordlens<Api>();
    tmp = tempCorpus('wordlens-lag-', Object.fromEntries([0, 1, 2, 3].map((i) => [`add${i}.ts`, CODE.replaceAll('total', `total${i}`)])));
  });

  suiteTeardown(() => removeTemp(tmp));

  test('the extension host is not blocked while the server trains and completes', async () => {
    const client = await api.ready;
    // A first model, so completions during the measured run come from a model.
    await client.sendRequest('wordlens/train', { roots: [path.join(tmp, 'corpus')], outDir: path.join(tmp, 'first'), epochs: 1, dim: 16, budgetMinutes: 0.5 });
    const idle = await measure(() => sleep(3000));

    // Plain text: VS Code's own TypeScript extension, in the same extension host, would
    // otherwise work on every keystroke and its time would be counted as ours
    // (WORDLENS_LAG_LANGUAGE=typescript measures with it).
    const document = await vscode.workspace.openTextDocument({ language: process.env.WORDLENS_LAG_LANGUAGE ?? 'plaintext', content: CODE + '\nfunction add1(left: number, right: number): number {\n  const total = left + ' });
    const editor = await vscode.window.showTextDocument(document);
    let completions = 0;
    let withItems = 0;
    const busy = await measure(async () => {
      let training = true;
      const train = client
        .sendRequest('wordlens/train', { roots: [path.join(tmp, 'corpus')], outDir: path.join(tmp, 'model'), epochs: 10, dim: 32, budgetMinutes: 1 })
        .finally(() => (training = false));
      // Type and ask for ghost text the whole time, as a user would.
      const text = 'right;\n  return total;\n}\n';
      let i = 0;
      while (training) {
        const end = document.lineAt(document.lineCount - 1).range.end;
        await editor.edit((e) => e.insert(end, text[i++ % text.length]));
        const at = document.lineAt(document.lineCount - 1).range.end;
        const result = await api.inlineProvider.provideInlineCompletionItems(
          document,
          at,
          { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined },
          new vscode.CancellationTokenSource().token,
        );
        completions++;
        if (result && (Array.isArray(result) ? result : result.items).length > 0) withItems++;
        await sleep(20);
      }
      return train;
    });
    const f = (n: number) => n.toFixed(1);
    const line = (l: Lag) =>
      `longest task ${f(l.maxActiveMs)} ms wall-clock (${f(l.maxBusyMs)} ms on the CPU), loop delay max ${f(l.maxDelayMs)} ms / p99 ${f(l.p99DelayMs)} ms, longest heartbeat gap ${f(l.maxGapMs)} ms`;
    console.log(`responsiveness: idle: ${line(idle)}`);
    console.log(`responsiveness: while training with ${completions} completion requests (${withItems} with items): ${line(busy)}`);
    assert.ok(completions >= 10, `completions were requested during training (${completions})`);
    assert.ok(withItems > 0, 'completions came from the model while it trained');
    // The rule: nothing in the client runs 50 ms without yielding. Asserted on the busy
    // stretch's CPU time (an upper bound of the loop thread's own work: the whole process's
    // CPU, capped by the stretch). Its wall-clock length, heartbeat gaps and loop delay are
    // printed, not asserted: on a loaded 2-core machine they include time the OS gave other
    // processes (code-server, its browser, other jobs) while this thread waited to run.
    assert.ok(busy.maxBusyMs < 50, `the extension host worked ${f(busy.maxBusyMs)} ms without yielding`);
  });
});
