// Memory ceiling: a training run that would not fit the WebAssembly heap (4 GB) is refused
// before the first step with a message naming the setting to change, instead of failing
// mid-run with "memory access out of bounds"; the server stays up. Also prints how large a
// vocabulary each model size can train within the heap, by the same estimate.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, WorkDoneProgress, type WorkDoneProgressReport } from 'vscode-languageserver-protocol';
import { estimateTrainingBytes, WASM_USABLE_BYTES } from '../../src/engine/lstm/memoryBudget';
import { DEFAULT_TRAINING } from '../../src/engine/lstm/train';
import { NeighborsRequest, ServerStatusRequest, TrainRequest } from '../../src/protocol';
import { MODEL_DIMS } from '../../src/server/handlers/train';
import { startTestServer, type TestServer } from '../server/lspClient';
import { tempDir, writeLstmModel, writeWorkspace } from './helpers';

const D = DEFAULT_TRAINING;
const need = (vocabSize: number, dim: number) =>
  estimateTrainingBytes({ vocabSize, ...D.hyper, embedDim: dim, hiddenDim: dim }, { batch: D.batch, bptt: D.bptt, samples: D.samples });

describe('reliability: memory ceiling', () => {
  const tmp = tempDir('memory');
  let server: TestServer;
  const good = path.join(tmp.dir, 'good');

  before(async () => {
    await writeLstmModel(good);
    server = await startTestServer({ modelPath: good });
    await server.waitForStatus((s) => s.state === 'ready');
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('prints the largest vocabulary each model size can train in the wasm heap', () => {
    const rows: string[] = [];
    for (const [size, dim] of Object.entries(MODEL_DIMS)) {
      let lo = 1_000;
      let hi = 50_000_000;
      while (hi - lo > 1_000) {
        const mid = Math.floor((lo + hi) / 2);
        if (need(mid, dim) <= WASM_USABLE_BYTES) lo = mid;
        else hi = mid;
      }
      rows.push(`${size} (width ${dim}): V ≤ ~${lo.toLocaleString('en-US')}`);
      assert.ok(lo > 100_000, `${size} trains a 100k-word vocabulary`);
    }
    console.log(`memory: largest trainable vocabulary within ${(WASM_USABLE_BYTES / 1024 ** 3).toFixed(1)} GB: ${rows.join('; ')}`);
  });

  it('a vocabulary × width beyond the heap is refused before training, naming the setting; the server stays up', async () => {
    // 120,000 distinct words (whitespace tokenizer) at width 2048: ~5 GB by the estimate.
    const words = Array.from({ length: 120_000 }, (_, i) => `w${i.toString(36)}`);
    const files: Record<string, string> = {};
    for (let f = 0; f < 4; f++) {
      const part = words.slice(f * 30_000, (f + 1) * 30_000);
      files[`words${f}.txt`] = Array.from({ length: part.length / 20 }, (_, l) => part.slice(l * 20, l * 20 + 20).join(' ')).join('\n');
    }
    const root = writeWorkspace(path.join(tmp.dir, 'huge-vocab'), files);
    const reports: WorkDoneProgressReport[] = [];
    server.connection.onProgress(WorkDoneProgress.type, 'mem', (p) => {
      if (p.kind === 'report') reports.push(p);
    });
    const t0 = Date.now();
    let error: ResponseError<unknown> | undefined;
    try {
      await server.connection.sendRequest(TrainRequest, {
        workDoneToken: 'mem',
        roots: [root],
        tokenizer: 'whitespace',
        dim: 2048,
        outDir: path.join(tmp.dir, 'out'),
        budgetMinutes: 1,
      });
    } catch (e) {
      error = e as ResponseError<unknown>;
    }
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(error instanceof ResponseError, 'refused');
    console.log(`memory: refused in ${seconds.toFixed(1)} s: "${error.message}"`);
    assert.equal(error.code, LSPErrorCodes.RequestFailed);
    assert.match(error.message, /GB/);
    assert.match(error.message, /wordlens\.modelSize/, 'names the setting to change');
    assert.doesNotMatch(error.message, /out of bounds/);
    assert.ok(!reports.some((r) => typeof r.percentage === 'number' && r.percentage > 0), 'no training step ran');
    const status = await server.connection.sendRequest(ServerStatusRequest);
    assert.equal(status.state, 'ready');
    assert.equal(status.modelPath, good, 'the previous model still serves');
    assert.ok((await server.connection.sendRequest(NeighborsRequest, { word: 'total', k: 1 })).known);
  });
});
