// The synchronous units training sets up before its first step (and copies back before each
// validation), timed alone at a vocabulary size: a stop waits for the one in progress
// (docs/reliability.md, the cancel soak). Run: npx tsx bench/train-setup-units.ts [V] [width]
import { loadavg } from 'node:os';
import { initBackend } from '../src/engine/kernels/backend';
import { LstmModel } from '../src/engine/lstm/lstm';
import { fusedTrainStepper } from '../src/engine/lstm/fusedTrainStepper';
import { UnigramSampler } from '../src/engine/lstm/sampledSoftmax';
import { DEFAULT_TRAINING as D } from '../src/engine/lstm/train';
import { mulberry32 } from '../src/engine/prng';

async function main() {
  await initBackend();
  const V = Number(process.argv[2] ?? 194_499);
  const width = Number(process.argv[3] ?? 128);
  const hyper = { ...D.hyper, vocabSize: V, embedDim: width, hiddenDim: width };
  const rand = mulberry32(1);
  const ids = Int32Array.from({ length: 1_000_000 }, () => Math.floor(rand() * V));
  const timed = <T>(f: () => T): [T, number] => {
    const t = performance.now();
    return [f(), Math.round(performance.now() - t)];
  };
  const [model, createMs] = timed(() => LstmModel.create(hyper, 1));
  const sampler = UnigramSampler.fromIds(ids, V, D.samplerAlpha, mulberry32(8));
  const setup = { batch: D.batch, dropout: D.hyper.dropout, clip: D.clip, optimizer: 'adam' as const, sampled: { sampler, samples: D.samples } };
  const [stepper, trainerMs] = timed(() => fusedTrainStepper({ bptt: D.bptt, threads: 2 })(model, setup));
  const [, syncModelMs] = timed(() => stepper.syncModel());
  console.log(JSON.stringify({ bench: 'train-setup-units', V, width, createMs, trainerMs, syncModelMs, load: loadavg()[0] }));
  stepper.dispose();
  model.dispose();
}

void main().then(() => process.exit(0));
