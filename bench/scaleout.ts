// The scale-out path on WikiText-2: `wordlens tokenize valid.txt`, then trainers/torch/
// train_ddp.py for the same wall-clock budget with 1 process and with 2 DDP processes (gloo,
// one torch thread each), tokens/s side by side; then the 2-process model exported and
// evaluated on test.txt by `wordlens eval --lstm-only` and by PyTorch's own evaluation of the
// same checkpoint (the two must agree within 0.5%). Backend: wordlens eval prints its own.
//   npx tsx bench/scaleout.ts [--minutes 2] [--nlayers 1]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const minutes = opt('minutes', '2');
const nlayers = opt('nlayers', '1');
const root = path.resolve(__dirname, '..');
const data = path.resolve(root, '../shared/data/wikitext-2');
const py = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-scaleout-'));
const cli = (...a: string[]) => execFileSync(process.execPath, [path.join(root, 'bin/wordlens.js'), ...a, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
const last = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${os.cpus().length} cores; budget ${minutes} min per run`);
const tokens = path.join(tmp, 'tokens');
console.log('tokenize:', JSON.stringify(last(cli('tokenize', path.join(data, 'valid.txt'), '--tokenizer', 'whitespace', '--out', tokens))));

function train(processes: number): Record<string, number> {
  const out = path.join(tmp, `model-${processes}`);
  const stdout = execFileSync(py, [
    path.join(root, 'trainers/torch/launch_local.py'), '--nproc', String(processes), '--',
    path.join(root, 'trainers/torch/train_ddp.py'), '--data', tokens, '--out', out, '--minutes', minutes,
    '--nlayers', nlayers, '--threads', '1', '--batch', String(20 / processes), '--optimizer', 'adam', '--lr', '0.002',
  ], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const done = stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'done');
  console.log(`${processes} process(es):`, JSON.stringify(done));
  return done;
}

const one = train(1);
const two = train(2);
console.log(`tokens/s: 1 process ${one.tokens_per_s}, 2 processes ${two.tokens_per_s} (${(two.tokens_per_s / one.tokens_per_s).toFixed(2)}x); the global batch is 20 streams in both`);

const model = path.join(tmp, 'model-2');
const held = path.join(tmp, 'test-ids');
cli('tokenize', path.join(data, 'test.txt'), '--tokenizer', 'whitespace', '--vocab', path.join(tokens, 'vocab.json'), '--out', held);
const torchPpl = Number(execFileSync(py, [path.join(root, 'trainers/torch/evaluate.py'), '--checkpoint', `${model}.ckpt.pt`, path.join(held, 'ids.npy')], { encoding: 'utf8' }).trim());
const ours = last(cli('eval', '--model', model, '--lstm-only', path.join(data, 'test.txt')));
console.log(`test perplexity of the 2-process model: PyTorch ${torchPpl.toFixed(3)}, wordlens eval ${ours.ppl.toFixed(3)} on ${ours.backend} (ratio ${(ours.ppl / torchPpl).toFixed(5)})`);
const added = last(cli('add-ngram', '--model', model, '--tokens', tokens));
const mixed = last(cli('eval', '--model', model, path.join(data, 'test.txt')));
console.log(`with the n-gram (λ = ${added.lambda.toFixed(3)}): test perplexity ${mixed.ppl.toFixed(2)}`);
fs.rmSync(tmp, { recursive: true, force: true });
