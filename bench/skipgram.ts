// Skip-gram time-to-quality: Wordlens's trainer with the CLI's default recipe (SKIPGRAM_RECIPE)
// vs gensim's anchor (anchor_word2vec.py, run with its own defaults) on the same text and
// min count, both scored on WordSim-353. `--window 5 --epochs 20` gives the anchor's settings. Also times a batched TF.js formulation of
// the same SGD step, and the plain-JS loop: the alternatives the SIMD trainer was chosen over.
// Run: npx tsx bench/skipgram.ts [--minutes 2] [--threads 2] [--epochs N] [--alpha A] [--no-anchor] [--no-tfjs]
//   Sweeps: [--window W] [--negative K] [--sample S] [--dim D] [--seeds 1,2,3] print each seed and mean ± sd.
//   [--anchor-same-recipe] also runs gensim with our window/epochs/negative/dim (sample is gensim's default 1e-3 too).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/kernels/backend';
import { loadavg } from 'node:os';
import { trainSkipgram } from '../src/engine/embeddings/skipgram';
import { SKIPGRAM_RECIPE } from '../src/cli/trainSkipgram';
import { caseInsensitiveLookup, evaluateWordPairs } from '../src/engine/embeddings/wordsim';

const DATA = '/work/shared/data';
const TRAIN = `${DATA}/wikitext-2/valid.txt`;
const PAIRS = `${DATA}/wordsim/wordsim353.tsv`;
const ANCHOR = '/work/shared/anchors/anchor_word2vec.py';
const args = process.argv.slice(2);
const minutes = Number(argValue('--minutes') ?? SKIPGRAM_RECIPE.minutes);
const threads = Number(argValue('--threads') ?? 2); // the anchor runs gensim with workers=2
const alpha = argValue('--alpha') ? Number(argValue('--alpha')) : undefined;
const sample = Number(argValue('--sample') ?? SKIPGRAM_RECIPE.sample);
const seeds = (argValue('--seeds') ?? '1').split(',').map(Number);
const DIM = Number(argValue('--dim') ?? SKIPGRAM_RECIPE.dim), WINDOW = Number(argValue('--window') ?? SKIPGRAM_RECIPE.window);
const NEGATIVE = Number(argValue('--negative') ?? SKIPGRAM_RECIPE.negative), MIN_COUNT = 3;
// As the CLI: the recipe's epochs, cut short by the budget if they do not fit.
const EPOCHS = Number(argValue('--epochs') ?? SKIPGRAM_RECIPE.epochs);

function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The anchors' convention: first 90% of lines, non-blank ones, words + <eos>. */
function corpus(): { ids: Int32Array; words: string[]; counts: number[]; eos: number } {
  const lines = readFileSync(TRAIN, 'utf8').split('\n');
  const sentences = lines.slice(0, Math.floor(lines.length * 0.9)).filter((l) => l.trim())
    .map((l) => [...l.trim().split(/\s+/), '<eos>']);
  const count = new Map<string, number>();
  for (const s of sentences) for (const w of s) count.set(w, (count.get(w) ?? 0) + 1);
  const words = [...count.keys()].sort((a, b) => count.get(b)! - count.get(a)!);
  const index = new Map(words.map((w, i) => [w, i]));
  const ids = Int32Array.from(sentences.flat(), (w) => index.get(w)!);
  return { ids, words, counts: words.map((w) => count.get(w)!), eos: index.get('<eos>')! };
}

async function wordlens(seed: number): Promise<Record<string, unknown>> {
  const { ids, words, counts, eos } = corpus();
  const result = await trainSkipgram(ids, words.length, counts, {
    dim: DIM, window: WINDOW, negative: NEGATIVE, minCount: MIN_COUNT, eosId: eos, seed, sample,
    minutes, epochs: EPOCHS, progressSeconds: 10, threads, alpha,
    onProgress: (p) => console.error(`  epoch ${p.epoch} ${(p.fraction * 100).toFixed(0)}% ${p.wordsPerSecond.toFixed(0)} words/s loss ${p.loss?.toFixed(3)}`),
  });
  // Words under the minimum count were not trained: they are out of the vocabulary, as in gensim.
  const kept = words.map((_, i) => i).filter((i) => counts[i] >= MIN_COUNT);
  const matrix = new Float32Array(kept.length * DIM);
  kept.forEach((row, i) => matrix.set(result.embeddings.subarray(row * DIM, (row + 1) * DIM), i * DIM));
  const ws = evaluateWordPairs(readFileSync(PAIRS, 'utf8'), caseInsensitiveLookup(kept.map((i) => words[i]), matrix, DIM));
  return {
    impl: `wordlens SGD, ${result.implementation === 'wasm-simd' ? 'wasm SIMD kernels' : 'plain JS'}, ${result.threads} thread(s)`, vocab: kept.length, tokens: ids.length,
    seed, window: WINDOW, negative: NEGATIVE, sample, dim: DIM, alpha: alpha ?? 0.025, planned_epochs: EPOCHS, budget_min: minutes,
    seconds: +result.seconds.toFixed(1), epochs: +result.epochs.toFixed(2),
    words_per_s: Math.round(result.words / result.seconds),
    spearman: +ws.spearman.toFixed(4), pearson: +ws.pearson.toFixed(4), oov: +ws.oov.toFixed(2),
  };
}

/** The anchor with its own defaults, or with `extra` arguments (e.g. our window) for a like-for-like look. */
function anchor(extra: string[] = []): Record<string, unknown> {
  try {
    const out = execFileSync('/usr/bin/python3', [ANCHOR, '--train', TRAIN, '--pairs', PAIRS, ...extra], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const label = extra.length ? `gensim anchor with ${extra.join(' ')}` : 'gensim anchor, its defaults (Cython, 2 workers, window 5, 20 epochs)';
    return { impl: label, seconds: r.seconds, spearman: r.spearman, pearson: r.pearson, oov: r.oov_ratio };
  } catch (e) {
    return { impl: 'gensim anchor', error: `could not run (${(e as Error).message.split('\n')[0]})` };
  }
}

/**
 * The same SGNS update done as batched TF.js ops: gather rows, batched dot products,
 * gradients, and a dense scatter-add back (unsortedSegmentSum). Returns pairs/s.
 */
function tfjsPairsPerSecond(vocab: number, batch: number, steps: number): number {
  const syn0 = tf.variable(tf.randomUniform([vocab, DIM], -0.5 / DIM, 0.5 / DIM));
  const syn1 = tf.variable(tf.zeros([vocab, DIM]));
  const step = () => tf.tidy(() => {
    const ctx = tf.randomUniform([batch], 0, vocab, 'int32') as tf.Tensor1D;
    const tgt = tf.randomUniform([batch, NEGATIVE + 1], 0, vocab, 'int32') as tf.Tensor2D;
    const label = tf.concat([tf.ones([batch, 1]), tf.zeros([batch, NEGATIVE])], 1);
    const e = tf.gather(syn0, ctx); // [B, D]
    const u = tf.gather(syn1, tgt.reshape([-1])).reshape([batch, NEGATIVE + 1, DIM]);
    const f = tf.sum(tf.mul(u, e.expandDims(1)), 2); // [B, K+1]
    const g = tf.mul(tf.sub(label, tf.sigmoid(f)), 0.025);
    const dE = tf.sum(tf.mul(g.expandDims(2), u), 1); // [B, D]
    const dU = tf.mul(g.expandDims(2), e.expandDims(1)).reshape([-1, DIM]);
    syn0.assign(tf.add(syn0, tf.unsortedSegmentSum(dE, ctx, vocab)));
    syn1.assign(tf.add(syn1, tf.unsortedSegmentSum(dU, tgt.reshape([-1]) as tf.Tensor1D, vocab)));
  });
  step(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  syn0.dataSync();
  const secs = (performance.now() - t0) / 1000;
  syn0.dispose(); syn1.dispose();
  return (batch * steps) / secs;
}

async function main(): Promise<void> {
  const backend = await initBackend();
  console.log(`TF.js backend: ${backend} (the trainer itself uses no TF.js ops); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (!args.includes('--no-tfjs')) {
    // Same corpus and settings, 10% of an epoch each: the trainer's SIMD and plain-JS inner
    // loops, and the batched TF.js formulation converted to words/s by pairs per word.
    const { ids, words, counts, eos } = corpus();
    const short = (plainJs: boolean) => trainSkipgram(ids, words.length, counts, { dim: DIM, window: WINDOW, negative: NEGATIVE, minCount: MIN_COUNT, eosId: eos, epochs: 0.1, plainJs });
    const simd: number[] = [], js: number[] = [], tfjs: number[] = [];
    let pairsPerWord = 0;
    for (let rep = 0; rep < 3; rep++) {
      const a = await short(false), b = await short(true);
      simd.push(a.words / a.seconds); js.push(b.words / b.seconds);
      pairsPerWord = a.pairs / a.words;
      tfjs.push(tfjsPairsPerSecond(words.length, 1024, 5) / pairsPerWord);
    }
    console.log(JSON.stringify({
      step: `words/s, 1 thread, V=${words.length} D=${DIM} window=${WINDOW} negative=${NEGATIVE} (${pairsPerWord.toFixed(2)} pairs/word), median of 3`,
      wasm_simd: Math.round(median(simd)), plain_js: Math.round(median(js)), [`tfjs_${backend}_batched`]: Math.round(median(tfjs)),
      simd_over_js: +(median(simd) / median(js)).toFixed(2), simd_over_tfjs: +(median(simd) / median(tfjs)).toFixed(1),
    }));
  }
  const runs: Record<string, unknown>[] = [];
  for (const seed of seeds) {
    runs.push(await wordlens(seed));
    console.log(JSON.stringify(runs[runs.length - 1]));
  }
  // Several seeds: the ratios below use the means.
  const sp = runs.map((r) => r.spearman as number), sec = runs.map((r) => r.seconds as number);
  const mean = sp.reduce((a, b) => a + b, 0) / sp.length;
  const ours = { spearman: mean, seconds: sec.reduce((a, b) => a + b, 0) / sec.length };
  if (runs.length > 1) {
    const sd = Math.sqrt(sp.reduce((a, b) => a + (b - mean) ** 2, 0) / (sp.length - 1));
    console.log(JSON.stringify({ seeds, spearman_mean: +mean.toFixed(4), spearman_sd: +sd.toFixed(4), seconds_mean: +ours.seconds.toFixed(1), epochs: runs.map((r) => r.epochs) }));
  }
  if (!args.includes('--no-anchor')) {
    const a = anchor();
    console.log(JSON.stringify(a));
    // Not the target's anchor: gensim given our recipe's window and epochs, to show what the recipe (not the trainer) adds.
    if (args.includes('--anchor-same-recipe')) console.log(JSON.stringify(anchor(['--window', String(WINDOW), '--epochs', String(EPOCHS), '--negative', String(NEGATIVE), '--dim', String(DIM)])));
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (typeof a.spearman === 'number') {
      console.log(JSON.stringify({ spearman_ratio: +(ours.spearman / a.spearman).toFixed(3), seconds_ratio: +(ours.seconds / (a.seconds as number)).toFixed(2) }));
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

main().catch((e) => { console.error(e); process.exit(1); });
