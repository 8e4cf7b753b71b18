// A run whose budget's shares have run out (an injected clock: past every deadline once the
// run has started) still saves a model, and says what it left out: a warning as it happens,
// budget_cut in the result and in meta.json, the cut in meta.json's corpus.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, type PipelineEvent } from '../../src/engine/pipeline/pipeline';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-pipeline-budget-'));
const corpus = path.join(tmp, 'text');
fs.mkdirSync(corpus);
for (const name of ['a', 'b', 'c']) {
  fs.writeFileSync(path.join(corpus, `${name}.txt`), Array.from({ length: 100 }, (_, i) => `${name} the cat ${i % 7} sat on the mat ${i % 5} .`).join('\n') + '\n');
}
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const meta = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));

test('past the reading share: one file read, the LSTM on its minimal share, and the cut stated everywhere', async () => {
  const outDir = path.join(tmp, 'cut');
  const events: PipelineEvent[] = [];
  let reads = 0;
  const late = () => (reads++ === 0 ? 0 : 1e12);
  const result = await runPipeline({ roots: [corpus], tokenizer: 'whitespace', outDir, minutes: 0.05, dim: 8 }, (e) => events.push(e), undefined, undefined, late);
  assert.equal(result.saved, true);
  assert.match(result.budget_cut ?? '', /reading stopped at the time budget's share after 1 file\(s\)/);
  assert.equal(result.lstm_budget_minimal, true);
  const warnings = events.filter((e) => e.event === 'warning').map((e) => (e as { message: string }).message);
  assert.deepEqual(warnings, [result.budget_cut]);
  const m = meta(outDir);
  assert.equal(m.metrics.budget_cut, result.budget_cut);
  assert.equal(m.corpus.files, 1);
  assert.equal(m.corpus.cut, result.budget_cut);
});

test('without a time budget nothing is cut and meta says so', async () => {
  const outDir = path.join(tmp, 'whole');
  const events: PipelineEvent[] = [];
  const result = await runPipeline({ roots: [corpus], tokenizer: 'whitespace', outDir, epochs: 1, dim: 8 }, (e) => events.push(e), undefined, undefined, () => 1e12);
  assert.equal(result.budget_cut, undefined);
  assert.equal(events.filter((e) => e.event === 'warning').length, 0);
  const m = meta(outDir);
  assert.equal(m.metrics.budget_cut, null);
  assert.equal(m.corpus.files, 3);
});
