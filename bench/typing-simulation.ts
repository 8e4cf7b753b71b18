// Keystrokes saved typing held-out code files from their first line, as a user meets the
// completions: the document grows as it is typed, so its own identifiers become predictable.
// Tab accepts a suggestion that is a prefix of what follows (bench/lib/typingSimulation.ts,
// shared with completion-latency.ts). Compared in one run, all on the same files:
//  - static: today's n-gram half alone, a Kneser-Ney 5-gram of the training files (n-gram
//    only: training an LSTM per run is too slow for this bench);
//  - live: the same 5-gram as a LiveNgramModel that also counts the document typed so far
//    (and keeps finished files), mixed with the document and recent-files caches
//    (CacheMixture, weights fitted by EM on other held-out files);
//  - cache-trigram: Tu et al.'s baseline, a global trigram + a trigram over the document
//    typed so far (bench/lib/cacheTrigram.ts).
// Corpus: @tensorflow/tfjs-layers's TypeScript sources; every 10th file typed, every 10th
// (offset 8) fits the cache weights, the rest trains.
// Run: npx tsx bench/typing-simulation.ts [--chars 8000] [--files 6] [--ablate]
import * as path from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { complete } from '../src/engine/decode/complete';
import { CacheMixture } from '../src/engine/decode/cacheMixture';
import { collectCacheSamples, componentPerplexity, fitCacheWeights, mixturePerplexity } from '../src/engine/decode/cacheFit';
import { PrefixCache } from '../src/engine/decode/prefixCache';
import { LiveNgramModel } from '../src/engine/ngram/liveNgram';
import { NgramModel, type NgramState } from '../src/engine/ngram/ngram';
import { createTokenizer } from '../src/engine/text/tokenizer';
import { Vocab } from '../src/engine/text/vocab';
import type { LanguageModel } from '../src/engine/types';
import { CacheTrigramModel } from './lib/cacheTrigram';
import { bodyStart, sourcesFromInlineMaps } from './lib/sourceMapCorpus';
import { simulateTyping, type TypingResult, type TypingTarget } from './lib/typingSimulation';

const ROOT = path.resolve(__dirname, '..');
const MAX_TOKENS = 8;

function numberFlag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
}

async function main(): Promise<void> {
  const capChars = numberFlag('chars', 8000);
  const typedFiles = numberFlag('files', 6);
  console.log(`backend: none (n-gram and cache models are pure TypeScript; no TF.js); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const sources = await sourcesFromInlineMaps(path.join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist'));
  const typed = sources.filter((_, i) => i % 10 === 9).slice(0, typedFiles);
  const fit = sources.filter((_, i) => i % 10 === 8);
  const train = sources.filter((_, i) => i % 10 !== 9 && i % 10 !== 8);
  const tokenizer = createTokenizer('code');
  const trainTokens = train.map((f) => tokenizer.tokenize(f.text));
  const vocab = Vocab.build(trainTokens.flat());
  const trainIds = trainTokens.map((t) => vocab.encode(t));
  console.log(`corpus: train ${train.length} files (V=${vocab.size}), fit ${fit.length}, typed ${typed.length} (${typed.map((f) => f.name).join(', ')})`);

  let t0 = performance.now();
  const ngram = NgramModel.build(trainIds.flatMap((a) => Array.from(a)), vocab.size, 5);
  const trigram = NgramModel.build(trainIds.flatMap((a) => Array.from(a)), vocab.size, 3);
  console.log(`static 5-gram and global trigram built in ${(performance.now() - t0).toFixed(0)} ms`);

  t0 = performance.now();
  const samples = collectCacheSamples(ngram, vocab, fit.map((f) => tokenizer.tokenize(f.text)));
  const weights = fitCacheWeights(samples, CacheMixture.buckets(4));
  console.log(`cache weights fitted in ${(performance.now() - t0).toFixed(0)} ms on ${samples.bucket.length} held-out tokens, [model, document, recent] per bucket:`);
  weights.forEach((w, b) => console.log(`  bucket ${b}: ${w.map((x) => x.toFixed(3)).join(', ')}`));
  console.log(`  held-out perplexity: static ${componentPerplexity(samples, 0).toFixed(2)}, mixture ${mixturePerplexity(samples, weights).toFixed(2)}`);

  // The confidence stop (complete's minTokenProb) by grid on the fit files typed the same way, not on the typed files.
  const fitTargets: TypingTarget[] = fit.slice(0, 2).map((f) => ({ text: f.text, start: bodyStart(f.text), chars: 500 }));
  let tau = 0;
  let bestSaved = -1;
  for (const t of [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8]) {
    const m = CacheMixture.create(weights);
    const r = await simulateTyping(fitTargets, async (_f, before) => (await complete(ngram, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cacheMixture: m, minTokenProb: t })).completion);
    console.log(`  fit files, minTokenProb ${t}: saved ${(100 * r.saved).toFixed(1)}%`);
    if (r.saved > bestSaved) [tau, bestSaved] = [t, r.saved];
  }
  console.log(`minTokenProb ${tau}`);

  const perFile = Math.ceil(capChars / typed.length);
  const targets: TypingTarget[] = typed.map((f) => ({ text: f.text, start: bodyStart(f.text), chars: perFile }));
  const tokensBefore = (before: string) => tokenizer.prefix(before).tokens;
  const encode = (tokens: string[]) => vocab.encode(tokens);

  const run = async (name: string, completer: (f: number, before: string) => Promise<string>): Promise<TypingResult & { name: string }> => {
    const r = await simulateTyping(targets, completer);
    console.log(JSON.stringify({ bench: 'typing-simulation', completer: name, ...r }));
    return { name, ...r };
  };

  const staticCaches = typed.map(() => new PrefixCache<NgramState>());
  const staticResult = await run('static 5-gram', async (f, before) => (await complete(ngram, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cache: staticCaches[f] })).completion);

  const baseline = new CacheTrigramModel(trigram);
  const baselineResult = await run('cache-trigram (Tu et al.)', async (_f, before) => {
    baseline.setDocument(encode(tokensBefore(before)));
    return (await complete(baseline as LanguageModel<unknown>, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false })).completion;
  });

  const live = LiveNgramModel.over(ngram, train.map((f, i) => ({ id: f.name, ids: trainIds[i] })));
  const mixture = CacheMixture.create(weights);
  let cache = new PrefixCache<NgramState>();
  let version = live.version;
  let lastFile = -1;
  let updateMs = 0;
  let updates = 0;
  const liveResult = await run('live (5-gram + own counts + caches)', async (f, before) => {
    const tokens = tokensBefore(before);
    if (f !== lastFile) {
      if (lastFile >= 0) mixture.recent.addSegment(tokenizer.tokenize(typed[lastFile].text));
      lastFile = f;
    }
    const u0 = performance.now();
    live.update(`typed/${typed[f].name}`, encode(tokens));
    updateMs += performance.now() - u0;
    updates++;
    if (live.version !== version) [cache, version] = [new PrefixCache<NgramState>(), live.version];
    return (await complete(live, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cache, cacheMixture: mixture, minTokenProb: tau })).completion;
  });

  const parts: (TypingResult & { name: string })[] = [];
  if (process.argv.includes('--ablate')) {
    // Which half helps: the caches over the static counts, and the live counts without caches.
    const staticMix = CacheMixture.create(weights);
    const mixCaches = typed.map(() => new PrefixCache<NgramState>());
    let last = -1;
    parts.push(
      await run('ablation: static 5-gram + caches', async (f, before) => {
        if (f !== last) {
          if (last >= 0) staticMix.recent.addSegment(tokenizer.tokenize(typed[last].text));
          last = f;
        }
        return (await complete(ngram, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cache: mixCaches[f], cacheMixture: staticMix, minTokenProb: tau })).completion;
      }),
    );
    // The confidence stop alone: the open decoder with empty caches and all weight on the static model.
    const noCache = CacheMixture.create(weights.map(() => [1, 0, 0] as const));
    const plainCaches = typed.map(() => new PrefixCache<NgramState>());
    parts.push(
      await run('ablation: static 5-gram + confidence stop', async (f, before) =>
        (await complete(ngram, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cache: plainCaches[f], cacheMixture: noCache, minTokenProb: tau })).completion,
      ),
    );
    parts.push(
      await run('ablation: cache-trigram + confidence stop', async (_f, before) => {
        baseline.setDocument(encode(tokensBefore(before)));
        return (await complete(baseline as LanguageModel<unknown>, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false, cacheMixture: noCache, minTokenProb: tau })).completion;
      }),
    );
    const own = LiveNgramModel.over(ngram, train.map((f, i) => ({ id: f.name, ids: trainIds[i] })));
    parts.push(
      await run('ablation: live counts, no caches', async (f, before) => {
        own.update(`typed/${typed[f].name}`, encode(tokensBefore(before)));
        return (await complete(own, tokenizer, vocab, before, { maxTokens: MAX_TOKENS, multiline: false })).completion;
      }),
    );
  }

  console.log(`\nkeystrokes saved typing ${staticResult.chars} characters of ${typed.length} held-out files from the top (${MAX_TOKENS} tokens, one line)`);
  console.log('  completer                                  saved   accepted (chars)  rejected  ms/call');
  for (const r of [staticResult, baselineResult, liveResult, ...parts]) {
    console.log(`  ${r.name.padEnd(42)} ${(100 * r.saved).toFixed(1).padStart(5)}%  ${String(r.accepted).padStart(8)} (${r.acceptedChars})  ${String(r.rejected).padStart(8)}  ${r.msPerCall.toFixed(2).padStart(7)}`);
  }
  const ratio = liveResult.saved / staticResult.saved;
  console.log(`  live / static ${ratio.toFixed(2)}x (target ≥ 1.2x: ${ratio >= 1.2 ? 'met' : 'NOT met'}); live / cache-trigram ${(liveResult.saved / baselineResult.saved).toFixed(2)}x (target > 1: ${liveResult.saved > baselineResult.saved ? 'met' : 'NOT met'})`);
  console.log(`  live n-gram update per keystroke: ${(updateMs / updates).toFixed(2)} ms mean`);
  console.log(`load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
