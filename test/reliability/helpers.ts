// Shared pieces of the reliability tests: temp folders, small model folders (a tiny LSTM
// with random weights plus a real n-gram, so completions run TF.js-free LSTM steps and the
// n-gram mixture), workspaces with fixture text, and a few waits. Each test makes its own.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { expectedWeights } from '../../src/engine/io/layersTopology';
import { mulberry32 } from '../../src/engine/prng';
import { MODEL_FORMAT_VERSION, saveModel } from '../../src/engine/io/store';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import type { ModelMeta, NamedWeight } from '../../src/engine/types';
import { Vocab } from '../../src/engine/text/vocab';
import { FIXTURE_TEXT } from '../server/fixtures';

export { FIXTURE_TEXT };

/** A fresh temp folder, removed by the returned `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wordlens-rel-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface LstmFixture {
  vocabSize: number;
  /** A word only this model's vocabulary has: tells two saved models apart. */
  marker: string;
}

/**
 * Saves an LSTM+n-gram model folder trained on nothing (random LSTM weights, λ = 0.3) but
 * with an n-gram from `text`, so its completions are the fixture's likely continuations.
 */
export async function writeLstmModel(dir: string, opts: { dim?: number; seed?: number; marker?: string; text?: string } = {}): Promise<LstmFixture> {
  const dim = opts.dim ?? 16;
  const marker = opts.marker ?? 'markerA';
  const text = (opts.text ?? FIXTURE_TEXT) + `\nconst ${marker} = 1;\n`;
  const tokenizer = createTokenizer('code');
  const tokens = tokenizer.tokenize(text);
  const vocab = Vocab.build(tokens);
  const ngram = NgramModel.build(vocab.encode(tokens), vocab.size, 4);
  const hyper = { vocabSize: vocab.size, embedDim: dim, hiddenDim: dim, layers: 1, tied: false, dropout: 0 };
  const random = mulberry32(opts.seed ?? 1);
  const weights: NamedWeight[] = expectedWeights({ kind: 'lstm', ...hyper }).map(({ name, shape }) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (random() - 0.5) * 0.2;
    return { name, shape, values };
  });
  const meta: ModelMeta = {
    format: 'wordlens-model',
    version: MODEL_FORMAT_VERSION,
    kind: 'lstm',
    tokenizer: 'code',
    hyper,
    metrics: { lambda: 0.3, valid_ppl: 5 },
    corpus: { files: 1, tokens: tokens.length },
    createdAt: new Date(0).toISOString(),
  };
  await saveModel(dir, { meta, vocab: vocab.toJSON(), weights, ngram: ngram.serialize() });
  return { vocabSize: vocab.size, marker: ` ${marker}` };
}

/** Writes `files` (relative path → content) under `root`. */
export function writeWorkspace(root: string, files: Record<string, string | Uint8Array>): string {
  fs.mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

/** A small code workspace: `copies` files of fixture text with a distinct identifier each. */
export function codeWorkspace(root: string, copies = 6): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < copies; i++) files[`src/file${i}.ts`] = FIXTURE_TEXT.replaceAll('total', `total${i % 3}`);
  return writeWorkspace(root, files);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Median of numbers (for printed figures). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
}

/** Temp siblings a folder save leaves while it runs (`.<name>.wl-<role>-<pid>-<hex>`). */
export function saveTemps(dir: string): string[] {
  const base = path.basename(dir);
  return fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(`.${base}.wl-`));
}
