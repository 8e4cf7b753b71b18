// The scale-out round trip, as a team would run it: `wordlens tokenize` -> two PyTorch
// DistributedDataParallel processes (gloo, env:// rendezvous) train the seed's model ->
// export a Wordlens folder -> `wordlens eval` matches PyTorch's own evaluation of the same
// checkpoint within 0.5% -> `wordlens add-ngram` -> the LSP server loads it and completes.
// Debian's torch 1.13 `torchrun` dies at start on Python 3.11, so the two processes are
// started by trainers/torch/launch_local.py with the variables torchrun would set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli';
import { mulberry32 } from '../../src/engine/prng';
import { assertCompletes, startTestServer } from '../server/lspClient';

const root = path.resolve(__dirname, '../..');
const trainer = path.join(root, 'trainers/torch');
let tmp: string;

/** The system Python that apt installs python3-torch into (a pyenv `python3` may lack it). */
function python(): string {
  const found = ['/usr/bin/python3', 'python3'].find((p) => !p.startsWith('/') || fs.existsSync(p));
  return found ?? 'python3';
}

function run(cmd: string, args: string[], timeoutMs = 600_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

async function wordlens(args: string[]): Promise<Record<string, any>> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(c, _e, done) { append(String(c)); done(); } });
  const code = await main([...args, '--json'], { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  assert.equal(code, 0, `wordlens ${args.join(' ')}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** Prose from a small grammar: a few hundred words with real structure for the model to learn. */
function corpus(seed: number, lines: number): string {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const nouns = Array.from({ length: 80 }, (_, i) => `noun${i}`);
  const verbs = Array.from({ length: 40 }, (_, i) => `verb${i}`);
  const adjs = Array.from({ length: 30 }, (_, i) => `adj${i}`);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = nouns[Math.floor(rand() ** 2 * nouns.length)];
    const v = verbs[(nouns.indexOf(n) * 7 + Math.floor(rand() * 3)) % verbs.length];
    out.push(`the ${pick(adjs)} ${n} ${v} a ${pick(nouns)} , and the ${n} ${pick(['was', 'is'])} ${pick(adjs)} .`);
  }
  return out.join('\n') + '\n';
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-torch-'));
  const probe = await run(python(), ['-c', 'import torch, numpy, torch.distributed as d; print(torch.__version__, d.is_available())']).catch((err) => {
    throw new Error(`PyTorch is needed for the scale-out test (scripts/setup.sh installs Debian's python3-torch): ${(err as Error).message.split('\n')[0]}`);
  });
  assert.match(probe.stdout, / True/, 'torch.distributed must be available');
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('tokenize -> 2-process DDP -> export -> eval matches PyTorch within 0.5% -> add-ngram -> LSP completes', { timeout: 900_000 }, async () => {
  fs.writeFileSync(path.join(tmp, 'train.txt'), corpus(1, 1500));
  fs.writeFileSync(path.join(tmp, 'test.txt'), corpus(2, 200));
  const tokens = path.join(tmp, 'tokens');
  const tokenized = await wordlens(['tokenize', path.join(tmp, 'train.txt'), '--tokenizer', 'whitespace', '--out', tokens]);
  assert.ok(tokenized.vocab > 100 && tokenized.train_tokens > 15_000, JSON.stringify(tokenized));

  const model = path.join(tmp, 'model');
  const trained = await run(python(), [
    path.join(trainer, 'launch_local.py'), '--nproc', '2', '--',
    path.join(trainer, 'train_ddp.py'), '--data', tokens, '--out', model,
    '--emsize', '32', '--nhid', '32', '--nlayers', '2', '--batch', '8', '--epochs', '2', '--threads', '1', '--optimizer', 'adam', '--lr', '0.01',
  ]);
  const events = trained.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const done = events.find((e) => e.event === 'done');
  assert.ok(done, trained.stdout);
  assert.equal(done.processes, 2);
  assert.equal(done.dist_backend, 'gloo');
  assert.equal(done.replicas_agree, true, 'both DDP processes must end with the same weights');
  assert.ok(events.filter((e) => e.event === 'epoch').length === 2);
  for (const f of ['model.json', 'group1-shard1of1.bin', 'vocab.json', 'meta.json']) assert.ok(fs.existsSync(path.join(model, f)), f);

  // The same held-out ids for both sides: encoded exactly as `wordlens eval` reads the file.
  const heldOut = path.join(tmp, 'heldout');
  await wordlens(['tokenize', path.join(tmp, 'test.txt'), '--tokenizer', 'whitespace', '--vocab', path.join(tokens, 'vocab.json'), '--out', heldOut]);
  const torchPpl = Number((await run(python(), [path.join(trainer, 'evaluate.py'), '--checkpoint', `${model}.ckpt.pt`, path.join(heldOut, 'ids.npy')])).stdout.trim());
  const ours = await wordlens(['eval', '--model', model, '--lstm-only', path.join(tmp, 'test.txt')]);
  assert.ok(Number.isFinite(torchPpl) && torchPpl > 1 && torchPpl < tokenized.vocab, `PyTorch's perplexity ${torchPpl}`);
  assert.ok(Math.abs(ours.ppl / torchPpl - 1) < 0.005, `wordlens eval ${ours.ppl} vs PyTorch ${torchPpl}`);
  console.log(`# perplexity on held-out text: PyTorch ${torchPpl.toFixed(4)}, wordlens eval ${ours.ppl.toFixed(4)} (ratio ${(ours.ppl / torchPpl).toFixed(6)})`);

  const added = await wordlens(['add-ngram', '--model', model, '--tokens', tokens]);
  assert.ok(added.lambda >= 0 && added.lambda <= 1 && fs.existsSync(path.join(model, 'ngram.bin')), JSON.stringify(added));
  const mixed = await wordlens(['eval', '--model', model, path.join(tmp, 'test.txt')]);
  assert.ok(mixed.ppl <= ours.ppl * 1.0001, `the fitted mixture (${mixed.ppl}) is no worse than the LSTM alone (${ours.ppl})`);

  const server = await startTestServer({ modelPath: model, storagePath: path.join(tmp, 'storage') });
  try {
    const status = await server.waitForStatus((s) => s.state === 'ready');
    assert.equal(status.vocab, tokenized.vocab);
    assert.equal(status.modelPath, model);
    await assertCompletes(server, 'file:///doc.txt', 'the adj3 noun1 verb7 a noun2 , and the ', 'the server completes with the PyTorch-trained model');
  } finally {
    await server.stop();
  }
});
