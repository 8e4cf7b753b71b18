import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { SKIPGRAM_RECIPE, trainSkipgramModel } from '../../src/cli/trainSkipgram';
import { Output } from '../../src/cli/output';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }), text: () => text };
}

/** A small two-topic corpus, one sentence a line (a few thousand words: trains in well under a second per epoch). */
function writeCorpus(dir: string): string {
  const a = ['red', 'green', 'blue', 'yellow'], b = ['cat', 'dog', 'horse', 'cow'];
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const topic = i % 2 ? a : b;
    lines.push(Array.from({ length: 6 }, (_, k) => topic[(i * 7 + k * 3) % 4]).join(' '));
  }
  const file = path.join(dir, 'corpus.txt');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function train(extra: { minutes?: number; epochs?: number; seed?: number }): Promise<{ done: Record<string, unknown>; meta: Record<string, any>; weights: Buffer }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-sg-'));
  const out = sink();
  await trainSkipgramModel(
    { roots: [writeCorpus(tmp)], tokenizer: 'whitespace', outDir: path.join(tmp, 'model'), dim: 8, minCount: 3, ...extra },
    new Output(true, out.stream, sink().stream),
  );
  const lines = out.text().trim().split('\n').map((l) => JSON.parse(l));
  const meta = JSON.parse(fs.readFileSync(path.join(tmp, 'model', 'meta.json'), 'utf8'));
  const shard = fs.readdirSync(path.join(tmp, 'model')).find((f) => f.endsWith('.bin'))!;
  const weights = fs.readFileSync(path.join(tmp, 'model', shard));
  fs.rmSync(tmp, { recursive: true, force: true });
  return { done: lines[lines.length - 1], meta, weights };
}

test('by default the recipe trains its planned epochs and stops, well inside the 2-minute cap', async () => {
  const { done, meta } = await train({});
  assert.equal(done.event, 'done');
  assert.equal(meta.metrics.epochs, SKIPGRAM_RECIPE.epochs);
  assert.ok((meta.metrics.seconds as number) < 60, `seconds ${meta.metrics.seconds}`);
  assert.equal(meta.hyper.window, SKIPGRAM_RECIPE.window);
  assert.equal(meta.hyper.negative, SKIPGRAM_RECIPE.negative);
  assert.equal(meta.hyper.sample, SKIPGRAM_RECIPE.sample);
});

test('--epochs overrides the planned epochs', async () => {
  const { meta } = await train({ epochs: 3 });
  assert.equal(meta.metrics.epochs, 3);
});

test('a budget shorter than the planned epochs cuts the run at the budget', async () => {
  const { meta } = await train({ minutes: 0.2 / 60, epochs: 100_000 });
  assert.ok((meta.metrics.epochs as number) < 100_000 && (meta.metrics.epochs as number) > 0, `epochs ${meta.metrics.epochs}`);
  assert.equal(meta.metrics.status, 'done');
});

test('a seed reproduces the embeddings (one thread, no Hogwild races)', async () => {
  const a = await train({ epochs: 3, seed: 5 }), b = await train({ epochs: 3, seed: 5 }), c = await train({ epochs: 3, seed: 6 });
  assert.ok(a.weights.equals(b.weights));
  assert.ok(!a.weights.equals(c.weights));
});
