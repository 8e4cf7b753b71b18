// Inline completion over LSP with a trained model, on a real codebase that is not this
// project (the TypeScript sources of @tensorflow/tfjs-layers, from its inline source maps):
//  1. trains a model folder with the real pipeline (code tokenizer), every 10th file held out;
//     cached under bench/results/ (reruns skip training unless --retrain);
//  2. latency: the real server over stdio (`initializationOptions.modelPath`), a 2,000-line
//     held-out document, retyping lines key by key (incremental didChange), one
//     textDocument/inlineCompletion per keystroke: round-trip p50/p95/p99/max, server CPU;
//     and "jump": every request follows a jump to a random position (one character typed
//     there), with the whole window read cold vs at most completion.jumpContextTokens;
//  3. keystrokes saved typing the held-out files (Tab accepts a suggestion that is a prefix of
//     what comes next), in-process through the engine's complete(): Wordlens (LSTM + n-gram)
//     against the n-gram alone and a token-bigram completer; then as the server completes
//     (the live n-gram absorbing the document as typed, document and recent-files caches,
//     the confidence stop), with and without the LSTM.
// Run: npx tsx bench/completion-latency.ts [--minutes 2] [--retrain] [--dim 128]
//        [--keystrokes 2000] [--chars 20000] [--no-latency] [--no-typing]
//        [--jump-only] (only the jump scenarios) [--jump-context N] (a third jump setting)
// WORDLENS_SERVING_KERNEL=tfjs serves the LSTM on TF.js ops (the previous path), for a baseline.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { DidChangeConfigurationNotification, DidChangeTextDocumentNotification, InlineCompletionRequest } from 'vscode-languageserver-protocol';
import { initBackend } from '../src/engine/kernels/backend';
import { complete } from '../src/engine/decode/complete';
import { encodeText } from '../src/engine/text/dataset';
import { NgramModel } from '../src/engine/ngram/ngram';
import { runPipeline } from '../src/engine/pipeline/pipeline';
import { PrefixCache } from '../src/engine/decode/prefixCache';
import { mulberry32 } from '../src/engine/prng';
import { loadModel } from '../src/engine/io/store';
import type { LanguageModel } from '../src/engine/types';
import { defaultSettings, ServerStatusRequest } from '../src/protocol';
import { assemble, loadServingModel } from '../src/server/servingModel';
import { LiveLearning } from '../src/server/liveLearning';
import { startTestServer } from '../test/server/lspClient';
import { BigramModel } from './lib/bigramModel';
import { bodyStart, documentOf, sourcesFromInlineMaps, writeSources, type SourceFile } from './lib/sourceMapCorpus';
import { simulateTyping, type TypingResult, type TypingTarget } from './lib/typingSimulation';

const ROOT = path.resolve(__dirname, '..');
const PACKAGE_DIST = path.join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist');
const RESULTS = path.join(ROOT, 'bench/results/completion-latency');
const HOLDOUT_EVERY = 10;
const DOC_LINES = 2000;
const MAX_TOKENS = 8; // the server's default completion.maxTokens

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
function numberFlag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!(v > 0)) throw new UsageError(`--${name} needs a positive number, got "${process.argv[i + 1] ?? ''}"`);
  return v;
}
class UsageError extends Error {}

function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const load = () => loadavg()[0];
const json = (o: object) => console.log(JSON.stringify({ bench: 'completion-latency', ...o }));

async function trainOrReuse(train: SourceFile[], minutes: number, dim: number, retrain: boolean): Promise<string> {
  const modelDir = path.join(RESULTS, `model-d${dim}-m${minutes}`);
  if (!retrain && existsSync(path.join(modelDir, 'meta.json'))) {
    console.log(`model: reusing ${path.relative(ROOT, modelDir)} (--retrain to train again)`);
    return modelDir;
  }
  const roots = await writeSources(train, path.join(RESULTS, 'train-src'));
  console.log(`training ${minutes} min on ${train.length} files (dim ${dim}) → ${path.relative(ROOT, modelDir)}`);
  let nextReport = 0;
  const done = await runPipeline({ roots, tokenizer: 'code', outDir: modelDir, minutes, dim, seed: 1 }, (e) => {
    if (e.event === 'progress') {
      if (e.fraction < nextReport) return;
      nextReport += 0.25;
      console.log(`  step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(2)} ${Math.round(e.tokensPerSecond)} tok/s`);
    } else if (e.event !== 'checkpoint') json({ phase: 'train', ...e });
  });
  json({ phase: 'train', ...done, loadavg: load() });
  if (!done.saved) throw new Error('training saved no model');
  return modelDir;
}

interface LatencyResult {
  scenario: string;
  keystrokes: number;
  /** Lines retyped. */
  sites: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The first keystroke on each retyped line (after a jump in the random scenario). */
  firstOnLineP50: number;
  firstOnLineMax: number;
  /** Keystrokes answered in more than 30 ms. */
  over30ms: number;
  /**
   * Keystrokes that typed the next character of the suggestion on screen, answered with its
   * rest (the server's shortcut, no model run), and the others (a fresh decode).
   */
  continuing: { n: number; p50: number; p99: number };
  fresh: { n: number; p50: number; p95: number; p99: number };
  suggestions: number;
  serverCpuMsPerRequest: number;
}

interface JumpResult {
  scenario: string;
  jumpContextTokens: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  over30ms: number;
  serverCpuMsPerRequest: number;
}

/** utime + stime of a process, ms (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // fields 14, 15 in clock ticks (100 Hz)
}

/**
 * Two ways of typing into the open document, each `keystrokes` long: "random" retypes lines
 * picked at random (the cursor jumps before each line); "sequential" retypes consecutive lines
 * from a random start (someone writing a block of code). A line is retyped by deleting its
 * text after the indentation and typing it back a character at a time: a didChange, then an
 * inlineCompletion request at the new cursor, timed from send to answer.
 */
async function measureLatency(modelDir: string, text: string, keystrokes: number): Promise<{ backend: string; results: LatencyResult[]; jumpResults: JumpResult[] }> {
  const server = await startTestServer({ modelPath: modelDir });
  try {
    const ready = await server.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000);
    if (ready.state !== 'ready') throw new Error(`server did not load the model: ${ready.message}`);
    const status = await server.connection.sendRequest(ServerStatusRequest);
    const uri = 'file:///bench/heldout.ts';
    await server.open(uri, text);
    let version = 1;
    const lines = text.split('\n');
    const typeable = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim().length > 0);
    const rand = mulberry32(7);

    const scenario = async (name: string, nextLine: () => { l: string; i: number }): Promise<LatencyResult> => {
      const times: number[] = [];
      const first: number[] = [];
      const continuing: number[] = [];
      const fresh: number[] = [];
      let suggestions = 0;
      let sites = 0;
      const cpu0 = cpuMsOf(server.process.pid!);
      while (times.length < keystrokes) {
        const { l, i: line } = nextLine();
        const indent = l.length - l.trimStart().length;
        const body = l.slice(indent);
        sites++;
        await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri, version: ++version },
          contentChanges: [{ range: { start: { line, character: indent }, end: { line, character: l.length } }, text: '' }],
        });
        let c = 0;
        let shown = '';
        for (; c < body.length && times.length < keystrokes; c++) {
          const character = indent + c;
          await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: ++version },
            contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: body[c] }],
          });
          const t0 = performance.now();
          const r = await server.connection.sendRequest(InlineCompletionRequest.type, {
            textDocument: { uri },
            position: { line, character: character + 1 },
            context: { triggerKind: 2 }, // Automatic: as the editor asks while typing
          });
          const ms = performance.now() - t0;
          times.push(ms);
          if (c === 0) first.push(ms);
          const items = Array.isArray(r) ? r : r?.items;
          if (items && items.length > 0) suggestions++;
          const answer = items?.[0] && typeof items[0].insertText === 'string' ? items[0].insertText : '';
          (shown.length > 1 && shown[0] === body[c] && answer === shown.slice(1) ? continuing : fresh).push(ms);
          shown = answer;
        }
        if (c < body.length) {
          // Out of keystrokes mid-line: put the rest back so the next scenario sees the same text.
          await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: ++version },
            contentChanges: [{ range: { start: { line, character: indent + c }, end: { line, character: indent + c } }, text: body.slice(c) }],
          });
        }
      }
      const cpuMs = cpuMsOf(server.process.pid!) - cpu0;
      return {
        scenario: name,
        keystrokes: times.length,
        sites,
        p50: percentile(times, 0.5),
        p95: percentile(times, 0.95),
        p99: percentile(times, 0.99),
        max: Math.max(...times),
        firstOnLineP50: percentile(first, 0.5),
        firstOnLineMax: Math.max(...first),
        over30ms: times.filter((t) => t > 30).length,
        continuing: { n: continuing.length, p50: percentile(continuing, 0.5), p99: percentile(continuing, 0.99) },
        fresh: { n: fresh.length, p50: percentile(fresh, 0.5), p95: percentile(fresh, 0.95), p99: percentile(fresh, 0.99) },
        suggestions,
        serverCpuMsPerRequest: cpuMs / times.length,
      };
    };
    /**
     * Every request after a jump: a random position in a random line, the character before it
     * typed again (a didChange, as a click then a keystroke), then one request there. Each
     * setting gets its own copy of the document (no states cached by the other) and the same positions.
     */
    const jumps = async (name: string, jumpContextTokens: number, seed: number): Promise<JumpResult> => {
      await server.connection.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { wordlens: { completion: { ...defaultSettings.completion, jumpContextTokens } } },
      });
      const jumpUri = `file:///bench/jump-${jumpContextTokens}.ts`;
      await server.open(jumpUri, text);
      let v = 1;
      const at = mulberry32(seed);
      const times: number[] = [];
      const cpu0 = cpuMsOf(server.process.pid!);
      while (times.length < keystrokes) {
        const { l, i: line } = typeable[Math.floor(at() * typeable.length)];
        const character = l.length - l.trimStart().length + 1 + Math.floor(at() * l.trimStart().length);
        await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri: jumpUri, version: ++v },
          contentChanges: [{ range: { start: { line, character: character - 1 }, end: { line, character } }, text: l[character - 1] }],
        });
        const t0 = performance.now();
        await server.connection.sendRequest(InlineCompletionRequest.type, {
          textDocument: { uri: jumpUri },
          position: { line, character },
          context: { triggerKind: 2 },
        });
        times.push(performance.now() - t0);
      }
      return {
        scenario: name,
        jumpContextTokens,
        requests: times.length,
        p50: percentile(times, 0.5),
        p95: percentile(times, 0.95),
        p99: percentile(times, 0.99),
        max: Math.max(...times),
        over30ms: times.filter((t) => t > 30).length,
        serverCpuMsPerRequest: (cpuMsOf(server.process.pid!) - cpu0) / times.length,
      };
    };
    const results: LatencyResult[] = [];
    if (!flag('jump-only')) {
      results.push(await scenario('random lines', () => typeable[Math.floor(rand() * typeable.length)]));
      let k = Math.floor(rand() * typeable.length);
      results.push(await scenario('sequential lines', () => typeable[k++ % typeable.length]));
    }
    const jumpResults = [
      await jumps('jump, whole window', 0, 13),
      await jumps(`jump, ≤ ${defaultSettings.completion.jumpContextTokens} tokens`, defaultSettings.completion.jumpContextTokens, 13),
    ];
    const extra = numberFlag('jump-context', 0);
    if (extra) jumpResults.push(await jumps(`jump, ≤ ${extra} tokens`, extra, 13));
    return { backend: status.backend ?? 'unknown', results, jumpResults };
  } finally {
    await server.stop();
  }
}

async function keystrokesSaved(modelDir: string, train: SourceFile[], heldOut: SourceFile[], capChars: number) {
  const backend = await initBackend();
  const saved = await loadModel(modelDir);
  const serving = assemble(modelDir, saved);
  if (!serving.lm || !saved.ngram) throw new Error(`${modelDir} has no LSTM + n-gram to complete with`);
  const { tokenizer, vocab } = serving;
  const ngram = NgramModel.deserialize(saved.ngram);
  const trainIds = train.flatMap((f) => Array.from(encodeText(f.text, tokenizer, vocab)));
  const bigram = new BigramModel(trainIds, vocab.size);
  const perFile = Math.ceil(capChars / heldOut.length);
  const targets: TypingTarget[] = heldOut.map((f) => ({ text: f.text, start: bodyStart(f.text), chars: perFile }));
  const run = async (name: string, model: LanguageModel<unknown>): Promise<TypingResult & { completer: string }> => {
    const caches = heldOut.map(() => new PrefixCache<unknown>());
    const r = await simulateTyping(targets, async (f, before) => {
      const c = await complete(model, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cache: caches[f] });
      return c.completion;
    });
    json({ phase: 'typing', completer: name, ...r, backend, loadavg: load() });
    return { completer: name, ...r };
  };
  // As the server completes: the live n-gram absorbs the document as it is typed (didChange),
  // the document and recent-files caches join the mixture, and the confidence stop ends the
  // suggestion before an unlikely token. The same with no LSTM, to show what the LSTM adds.
  const servedRun = async (name: string, live: LiveLearning): Promise<TypingResult & { completer: string }> => {
    const caches = heldOut.map(() => new PrefixCache<unknown>());
    let version = live.version;
    const r = await simulateTyping(targets, async (f, before) => {
      live.absorb(`held-out/${heldOut[f].name}`, before);
      if (live.version !== version) {
        version = live.version;
        caches.forEach((_, i) => (caches[i] = new PrefixCache<unknown>()));
      }
      const c = await complete(live.lm!, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cache: caches[f], cacheMixture: live.mixture, minTokenProb: live.minTokenProb });
      return c.completion;
    });
    json({ phase: 'typing', completer: name, ...r, backend, loadavg: load() });
    return { completer: name, ...r };
  };
  const served = await loadServingModel(modelDir); // as the server opens it: with the files its n-gram counted
  const withLstm = served.live!;
  const noLstm = new LiveLearning({ ngram: NgramModel.deserialize(saved.ngram), files: served.files, lstm: undefined, lambda: 0, cache: saved.meta.cache, vocab, tokenizer });
  const results = [
    await run('wordlens (LSTM + 5-gram)', serving.lm),
    await run('5-gram alone (same folder)', ngram as LanguageModel<unknown>),
    await run('token bigram', bigram as LanguageModel<unknown>),
    await servedRun('served: LSTM + live 5-gram + caches', withLstm),
    await servedRun('served without the LSTM', noLstm),
  ];
  serving.dispose();
  served.dispose();
  return { backend, lambda: saved.meta.metrics?.lambda, minTokenProb: withLstm.minTokenProb, results };
}

async function main(): Promise<void> {
  const minutes = numberFlag('minutes', 2);
  const dim = numberFlag('dim', 128); // the extension's default model size ("small")
  const keystrokes = numberFlag('keystrokes', 2000);
  const capChars = numberFlag('chars', 20000);
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (shared machine: timings are noisy)`);

  const sources = await sourcesFromInlineMaps(PACKAGE_DIST);
  const heldOut = sources.filter((_, i) => i % HOLDOUT_EVERY === HOLDOUT_EVERY - 1);
  const train = sources.filter((_, i) => i % HOLDOUT_EVERY !== HOLDOUT_EVERY - 1);
  const bytes = (fs: SourceFile[]) => fs.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  json({ phase: 'corpus', package: '@tensorflow/tfjs-layers (TypeScript sources from inline source maps)', trainFiles: train.length, trainBytes: bytes(train), heldOutFiles: heldOut.length, heldOutBytes: bytes(heldOut), heldOut: heldOut.map((f) => f.name) });

  const modelDir = await trainOrReuse(train, minutes, dim, flag('retrain'));
  const meta = JSON.parse(readFileSync(path.join(modelDir, 'meta.json'), 'utf8')) as { metrics?: Record<string, unknown> };
  json({ phase: 'model', modelDir: path.relative(ROOT, modelDir), metrics: meta.metrics });

  let latency: Awaited<ReturnType<typeof measureLatency>> | undefined;
  if (!flag('no-latency')) {
    const loadBefore = load();
    latency = await measureLatency(modelDir, documentOf(heldOut, DOC_LINES), keystrokes);
    for (const r of latency.results) json({ phase: 'latency', docLines: DOC_LINES, backend: latency.backend, ...r, loadavgBefore: loadBefore, loadavgAfter: load() });
    for (const r of latency.jumpResults) json({ phase: 'latency', docLines: DOC_LINES, backend: latency.backend, ...r, loadavgAfter: load() });
  }
  let typing: Awaited<ReturnType<typeof keystrokesSaved>> | undefined;
  if (!flag('no-typing')) typing = await keystrokesSaved(modelDir, train, heldOut, capChars);

  console.log('');
  if (latency) {
    const met = (v: number, t: number) => (v <= t ? 'met' : 'NOT met');
    console.log(`inlineCompletion over LSP (stdio) on a ${DOC_LINES}-line held-out document, server backend ${latency.backend}; round trip in ms`);
    console.log('  typing            keys  lines    p50    p95     p99     max  1st key on line p50/max  >30ms  server CPU ms/req');
    for (const r of latency.results) {
      console.log(`  ${r.scenario.padEnd(16)} ${String(r.keystrokes).padStart(5)} ${String(r.sites).padStart(6)} ${r.p50.toFixed(1).padStart(6)} ${r.p95.toFixed(1).padStart(6)} ${r.p99.toFixed(1).padStart(7)} ${r.max.toFixed(0).padStart(7)}  ${`${r.firstOnLineP50.toFixed(1)} / ${r.firstOnLineMax.toFixed(0)}`.padStart(23)} ${String(r.over30ms).padStart(6)} ${r.serverCpuMsPerRequest.toFixed(2).padStart(18)}`);
      console.log(`    targets: p50 ≤ 10 ms ${met(r.p50, 10)}, p99 ≤ 30 ms ${met(r.p99, 30)}`);
      const f = r.fresh;
      console.log(`    ${r.continuing.n} keys typed the suggestion shown (answered with its rest): p50 ${r.continuing.p50.toFixed(1)}, p99 ${r.continuing.p99.toFixed(1)}`);
      console.log(`    ${f.n} keys needed a fresh decode: p50 ${f.p50.toFixed(1)} (${met(f.p50, 10)}), p95 ${f.p95.toFixed(1)}, p99 ${f.p99.toFixed(1)} (${met(f.p99, 30)})`);
    }
    console.log('  every request after a jump   requests    p50    p95     p99     max  >30ms  server CPU ms/req');
    for (const r of latency.jumpResults) {
      console.log(`  ${r.scenario.padEnd(28)} ${String(r.requests).padStart(8)} ${r.p50.toFixed(1).padStart(6)} ${r.p95.toFixed(1).padStart(6)} ${r.p99.toFixed(1).padStart(7)} ${r.max.toFixed(0).padStart(7)} ${String(r.over30ms).padStart(6)} ${r.serverCpuMsPerRequest.toFixed(2).padStart(18)}`);
      console.log(`    target p99 ≤ 30 ms: ${met(r.p99, 30)}`);
    }
    const [whole, bounded] = latency.jumpResults;
    console.log(`  jump p99, bounded / whole window: ${(bounded.p99 / whole.p99).toFixed(2)}x (p50 ${(bounded.p50 / whole.p50).toFixed(2)}x)`);
  }
  if (typing) {
    console.log(`keystrokes saved typing ${typing.results[0].chars} characters of held-out files (in-process complete(), ${MAX_TOKENS} tokens, one line; backend ${typing.backend}; λ ${typing.lambda})`);
    console.log('  completer                      keystrokes  saved   accepted (chars)   rejected  ms/call');
    for (const r of typing.results) {
      console.log(`  ${r.completer.padEnd(30)} ${String(r.keystrokes).padStart(10)}  ${(100 * r.saved).toFixed(1).padStart(5)}%  ${String(r.accepted).padStart(8)} (${r.acceptedChars})  ${String(r.rejected).padStart(9)}  ${r.msPerCall.toFixed(2).padStart(7)}`);
    }
    const [w, n, b] = typing.results;
    console.log(`  ratio of saved shares: wordlens / 5-gram ${(w.saved / n.saved).toFixed(2)}x, wordlens / bigram ${(w.saved / b.saved).toFixed(2)}x`);
    const [, , , sw, sn] = typing.results;
    console.log(`  as served (live counts, caches, stop below p ${typing.minTokenProb}): with the LSTM ${(100 * sw.saved).toFixed(1)}%, without ${(100 * sn.saved).toFixed(1)}% (${(sw.saved / sn.saved).toFixed(3)}x)`);
    json({ phase: 'summary', lambda: typing.lambda, savedWordlens: w.saved, savedNgram: n.saved, savedBigram: b.saved, ratioVsNgram: w.saved / n.saved, ratioVsBigram: w.saved / b.saved, savedServed: sw.saved, savedServedNoLstm: sn.saved, servedRatio: sw.saved / sn.saved });
  }
  console.log(`load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

main().catch((error) => {
  if (error instanceof UsageError) {
    console.error(`completion-latency: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
