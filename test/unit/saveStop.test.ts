// A stop during a model save: before the new folder is complete the save rolls back (the old
// model stays, no temp is left); once it is complete the save finishes. Never half a save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFaultHook, type SaveStage } from '../../src/engine/io/atomic';
import { MODEL_FORMAT_VERSION, loadModel, saveModel, type SavedModel } from '../../src/engine/io/store';

function vectorsModel(marker: string, rows = 3000, dim = 64): SavedModel {
  const words = ['<unk>', marker, ...Array.from({ length: rows - 2 }, (_, i) => `w${i}`)];
  return {
    meta: {
      format: 'wordlens-model', version: MODEL_FORMAT_VERSION, kind: 'vectors', tokenizer: 'whitespace',
      hyper: { vocabSize: rows, embedDim: dim }, metrics: {}, corpus: {}, createdAt: new Date().toISOString(),
    },
    vocab: { words, counts: words.map(() => 1) },
    weights: [{ name: 'embedding/embeddings', shape: [rows, dim], values: new Float32Array(rows * dim).fill(0.5) }],
  };
}

async function saveStoppedAt(stage: SaveStage | 'writing'): Promise<{ dir: string; parent: string; error?: Error }> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-savestop-'));
  const dir = path.join(parent, 'model');
  await saveModel(dir, vectorsModel('oldmarker'));
  const controller = new AbortController();
  if (stage === 'writing') queueMicrotask(() => controller.abort()); // while the first shard is written
  else setFaultHook((s) => s === stage && controller.abort());
  try {
    await saveModel(dir, vectorsModel('newmarker'), { signal: controller.signal, shardBytes: 64 * 1024 });
    return { dir, parent };
  } catch (error) {
    return { dir, parent, error: error as Error };
  } finally {
    setFaultHook(undefined);
  }
}

for (const stage of ['writing', 'files-written'] as const) {
  test(`a stop while the new files are ${stage === 'writing' ? 'written' : 'synced'} rolls the save back: the old model, no temp`, async () => {
    const { dir, parent, error } = await saveStoppedAt(stage);
    assert.equal(error?.name, 'AbortError');
    assert.equal((await loadModel(dir)).vocab.words[1], 'oldmarker');
    assert.deepEqual(fs.readdirSync(parent), ['model']);
  });
}

for (const stage of ['ready', 'old-moved-aside'] as const) {
  test(`a stop once the new folder is complete (${stage}) lets the save finish: the new model, no temp`, async () => {
    const { dir, parent, error } = await saveStoppedAt(stage);
    assert.equal(error, undefined);
    assert.equal((await loadModel(dir)).vocab.words[1], 'newmarker');
    assert.deepEqual(fs.readdirSync(parent), ['model']);
  });
}
