// How long a stop takes `delayMs` (default 2000) after the 'train' phase starts, on a folder:
// the training job the CLI and the server run, every event printed with its time. Found the
// set-up units a stop used to wait for (model, fused trainer, rate probe; docs/reliability.md).
// Run: npx tsx bench/train-stop.ts DIR [delayMs]
import { loadavg, tmpdir } from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startPipelineJob } from '../src/engine/pipeline/pipelineJob';

const root = path.resolve(process.argv[2] ?? 'node_modules/typescript');
const delayMs = Number(process.argv[3] ?? 2000);
const outDir = path.join(fs.mkdtempSync(path.join(tmpdir(), 'wordlens-train-stop-')), 'model');
const t0 = Date.now();
const at = () => ((Date.now() - t0) / 1000).toFixed(1);
let cancelledAt = 0;
const job = startPipelineJob({ roots: [root], exclude: [], outDir, minutes: 1, dim: 128, tokenizer: 'code' }, (e) => {
  if (e.event !== 'progress') console.log(at(), JSON.stringify(e).slice(0, 240));
  if (e.event === 'phase' && e.phase === 'train' && !cancelledAt) {
    cancelledAt = -1;
    setTimeout(() => ((cancelledAt = Date.now()), console.log(at(), 'cancel'), job.cancel()), delayMs);
  }
});
void job.done.then((r) => {
  console.log(JSON.stringify({ bench: 'train-stop', root, stoppedIn: r.stoppedIn, cancelled: r.cancelled, vocab: r.vocab, stopMs: cancelledAt > 0 ? Date.now() - cancelledAt : null, load: loadavg()[0] }));
  fs.rmSync(path.dirname(outDir), { recursive: true, force: true });
  process.exit(0);
});
