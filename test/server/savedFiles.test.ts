// A model loaded in a later session still learns edits by replacement: the folder records the
// files its n-gram counted (ngram-files.bin), so emptying a training file takes its counts out
// instead of leaving them in. Without the record (older folders, or a damaged one) the model
// still loads and an edited file can only add to the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPipelineJob } from '../../src/engine/pipeline/pipelineJob';
import { loadServingModel } from '../../src/server/servingModel';
import { initBackend } from '../../src/engine/kernels/backend';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-saved-files-'));
const corpus = path.join(tmp, 'text');
fs.mkdirSync(corpus);
const file = path.join(corpus, 'a.txt');
fs.writeFileSync(file, Array.from({ length: 120 }, (_, i) => `the zebra ${i % 2 ? 'ran' : 'sat'} by the river .`).join('\n') + '\n');
fs.writeFileSync(path.join(corpus, 'b.txt'), Array.from({ length: 60 }, () => 'a quokka slept under the tree .').join('\n') + '\n');

test('emptying a training file removes its counts from a model loaded from its folder, and a damaged record only loses that', async () => {
  await initBackend();
  const outDir = path.join(tmp, 'model');
  const run = await startPipelineJob({ roots: [corpus], tokenizer: 'whitespace', outDir, epochs: 1, dim: 8 }, () => undefined).done;
  assert.equal(run.saved, true);
  assert.ok(fs.existsSync(path.join(outDir, 'ngram-files.bin')));

  const logs: string[] = [];
  const loaded = await loadServingModel(outDir, [], (m) => logs.push(m));
  const emptied = loaded.live!.absorb(file, '');
  assert.ok(emptied.changed > 500, `a.txt's n-grams taken out: ${emptied.changed}`);
  assert.equal(loaded.live!.absorb(file, '').changed, 0, 'emptied twice: nothing more to take out');
  loaded.dispose();

  fs.writeFileSync(path.join(outDir, 'ngram-files.bin'), Uint8Array.from([1, 0, 0]));
  const damaged = await loadServingModel(outDir, [], (m) => logs.push(m));
  assert.match(logs.join('\n'), /ngram-files\.bin is damaged \(truncated.*edits will add to the n-gram's counts/);
  // Unknown to the counts: an empty new file joins the corpus (its boundary, ≤ 1 change); nothing is taken out.
  assert.ok(damaged.live!.absorb(file, '').changed <= 1);
  assert.ok(damaged.live!.absorb(file, 'the zebra flew .').changed > 0, 'new text is still learnt');
  damaged.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});
