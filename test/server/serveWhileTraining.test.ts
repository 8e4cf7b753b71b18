// Serve at once, improve in place (issue 11): with no model yet, the run's n-gram serves while
// the LSTM trains; a checkpoint whose LSTM alone beats the n-gram on validation is swapped in
// while the run goes on, and every later swap is an improvement. The corpus is i.i.d. words
// from a Zipf distribution: a Kneser-Ney 5-gram spreads mass over contexts that carry nothing,
// while the LSTM only has to learn the word frequencies, so it overtakes the n-gram in seconds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainRequest } from '../../src/protocol';
import { mulberry32 } from '../../src/engine/prng';
import { startTestServer, type TestServer } from './lspClient';

function zipfText(seed: number, vocab: number, lines: number): string {
  const rand = mulberry32(seed);
  const cdf: number[] = [];
  let total = 0;
  for (let r = 1; r <= vocab; r++) cdf.push((total += 1 / r));
  const word = () => {
    const u = rand() * total;
    let i = 0;
    while (cdf[i] < u) i++;
    return `w${i}`;
  };
  return Array.from({ length: lines }, () => Array.from({ length: 10 }, word).join(' ')).join('\n') + '\n';
}

describe('server: serving while the first model trains', () => {
  let tmp: string;
  let server: TestServer;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-serve-training-'));
    fs.mkdirSync(path.join(tmp, 'workspace'));
    fs.writeFileSync(path.join(tmp, 'workspace', 'words.txt'), zipfText(1, 300, 3000));
    server = await startTestServer({ storagePath: path.join(tmp, 'storage') });
    await server.waitForStatus((s) => s.state === 'none');
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the n-gram, swaps in a checkpoint that beats it mid-run, and only ever better ones', async () => {
    const result = await server.connection.sendRequest(TrainRequest, { roots: [path.join(tmp, 'workspace')], tokenizer: 'whitespace', epochs: 3, dim: 16 });
    assert.ok(!result.cancelled);
    await server.waitForStatus((s) => s.state === 'ready');
    const seen = server.statuses;
    const first = seen.findIndex((s) => s.state === 'training' && s.serving === 'n-gram');
    assert.ok(first >= 0, `the n-gram served during the run: ${JSON.stringify(seen)}`);
    const swaps = seen.filter((s, i) => i > first && s.state === 'training' && s.serving !== 'n-gram' && s.serving !== undefined);
    assert.ok(swaps.length > 0, `an LSTM checkpoint served before the run ended: ${JSON.stringify(seen)}`);
    const ngramPpl = seen[first].ppl!;
    const lstmPpls = swaps.map((s) => s.pplLstm ?? s.ppl!);
    console.log(`# n-gram ppl ${ngramPpl.toFixed(2)}; LSTM checkpoints swapped in mid-run: ${[...new Set(lstmPpls)].map((p) => p.toFixed(2)).join(' → ')}`);
    assert.ok(lstmPpls[0] < ngramPpl, `the first swapped-in LSTM (${lstmPpls[0]}) beats the n-gram (${ngramPpl})`);
    for (let i = 1; i < lstmPpls.length; i++) assert.ok(lstmPpls[i] <= lstmPpls[i - 1], `never a worse model: ${lstmPpls.join(', ')}`);
  });
});
