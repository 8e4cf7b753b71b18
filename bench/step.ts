// Next-token step latency at V=10k (advance one token + log-probabilities of the next), batch 1:
// the chosen path (LstmModel: on the wasm backend the serving kernel, servingKernel.ts; the
// output layer as int8 when it is large, see int8Logits.ts) against the TF.js-ops path (the
// cell by a TF.js matMul, the previous serving path), the float32 output layer, and the whole
// step as pure-JS Float32Array loops, in the same run. Also a cold read of --read tokens (after
// a jump): advanceMany (one GEMM for all input projections, then the recurrence) against token
// by token steps on both paths. Prints the backend, median and p95 wall-clock ms, CPU ms per
// step (the machine may be shared), the largest log-probability difference to the exact
// pure-JS step, and how often int8 and float32 agree on the top token.
//   npx tsx bench/step.ts [--vocab 10000] [--hidden 200] [--layers 1] [--steps 300] [--read 400] [--backend wasm|cpu]
import { initBackend, type BackendName } from '../src/engine/kernels/backend';
import { LstmModel, type LstmState } from '../src/engine/lstm/lstm';
import type { NamedWeight } from '../src/engine/types';
import { DEFAULT_TRAINING } from '../src/engine/lstm/train';
import { loadavg } from 'node:os';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

/** The alternative: the whole step in plain loops over the saved (Keras-layout) weights. */
class JsStep {
  private readonly w = new Map<string, Float32Array>();
  constructor(weights: NamedWeight[], private readonly V: number, private readonly E: number, private readonly H: number, private readonly L: number) {
    for (const x of weights) this.w.set(x.name, x.values);
  }
  initialState(): LstmState {
    const z = () => Array.from({ length: this.L }, () => new Float32Array(this.H));
    return { h: z(), c: z() };
  }
  advance(s: LstmState, id: number): LstmState {
    const { E, H } = this;
    let x = this.w.get('embedding/embeddings')!.subarray(id * E, id * E + E);
    const hs: Float32Array[] = [];
    const cs: Float32Array[] = [];
    for (let l = 0; l < this.L; l++) {
      const n = l === 0 ? 'lstm' : `lstm_${l}`;
      const K = this.w.get(`${n}/kernel`)!;
      const U = this.w.get(`${n}/recurrent_kernel`)!;
      const z = Float32Array.from(this.w.get(`${n}/bias`)!);
      const F = 4 * H;
      for (let i = 0; i < x.length; i++) for (let j = 0, xi = x[i], o = i * F; j < F; j++) z[j] += xi * K[o + j];
      const hp = s.h[l];
      for (let i = 0; i < H; i++) for (let j = 0, hi = hp[i], o = i * F; j < F; j++) z[j] += hi * U[o + j];
      const h = new Float32Array(H);
      const c = new Float32Array(H);
      const sg = (v: number) => 1 / (1 + Math.exp(-v));
      for (let j = 0; j < H; j++) {
        c[j] = sg(z[H + j]) * s.c[l][j] + sg(z[j]) * Math.tanh(z[2 * H + j]);
        h[j] = sg(z[3 * H + j]) * Math.tanh(c[j]);
      }
      hs.push(h);
      cs.push(c);
      x = h;
    }
    return { h: hs, c: cs };
  }
  logProbs(s: LstmState): Float32Array {
    const { V, H } = this;
    const W = this.w.get('dense/kernel')!;
    const out = Float32Array.from(this.w.get('dense/bias')!);
    const h = s.h[s.h.length - 1];
    for (let k = 0; k < H; k++) for (let v = 0, hk = h[k], o = k * V; v < V; v++) out[v] += hk * W[o + v];
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, out[v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(out[v] - max);
    const lse = max + Math.log(sum);
    for (let v = 0; v < V; v++) out[v] -= lse;
    return out;
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let v = 0; v < a.length; v++) d = Math.max(d, Math.abs(a[v] - b[v]));
  return d;
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let v = 1; v < x.length; v++) if (x[v] > x[best]) best = v;
  return best;
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { median: +s[Math.floor(s.length / 2)].toFixed(3), p95: +s[Math.floor(s.length * 0.95)].toFixed(3) };
}

interface Timing {
  wall: number[];
  cpuMs: number;
  n: number;
}

/** Medians over the rounds' samples, CPU per step (or per read) over all of them. */
function merge(ts: Timing[]) {
  const wall = ts.flatMap((t) => t.wall);
  return { ...stats(wall), cpu_ms_each: +(ts.reduce((a, t) => a + t.cpuMs, 0) / ts.reduce((a, t) => a + t.n, 0)).toFixed(3) };
}

function time(steps: number, ids: number[], m: { initialState(): LstmState; advance(s: LstmState, id: number): LstmState; logProbs(s: LstmState): Float32Array }): Timing {
  let s = m.initialState();
  // Warm-up: V8 optimises the log-softmax loop and wasm sets up its kernels over the first
  // ~100 steps; 20 left the median at 2.3 ms where the steady state is 0.9 ms.
  for (let i = 0; i < 200; i++) m.logProbs((s = m.advance(s, ids[i % ids.length])));
  const wall: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    s = m.advance(s, ids[i % ids.length]);
    m.logProbs(s);
    wall.push(performance.now() - t);
  }
  const c = process.cpuUsage(cpu0);
  return { wall, cpuMs: (c.user + c.system) / 1000, n: steps };
}

/** A cold read of `ids` from the initial state: advanceMany (batched) or advance per token. */
function coldRead(model: LstmModel, ids: number[], batched: boolean): Timing {
  const runs = 5;
  const wall: number[] = [];
  let cpu = 0;
  for (let r = -1; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    if (batched) model.advanceMany(model.initialState(), ids);
    else ids.reduce((s, id) => model.advance(s, id), model.initialState());
    const dt = performance.now() - t;
    const c = process.cpuUsage(c0);
    if (r >= 0) { // after a warm-up read
      wall.push(dt);
      cpu += (c.user + c.system) / 1000;
    }
  }
  return { wall, cpuMs: cpu, n: runs };
}

async function main() {
  const backend = await initBackend(process.argv.includes('--backend') ? (arg('backend', 'wasm') as BackendName) : undefined);
  const V = Number(arg('vocab', '10000'));
  const H = Number(arg('hidden', String(DEFAULT_TRAINING.hyper.hiddenDim)));
  const readLen = Number(arg('read', '400'));
  const L = Number(arg('layers', '1'));
  const steps = Number(arg('steps', '300'));
  const hyper = { vocabSize: V, embedDim: H, hiddenDim: H, layers: L, tied: true, dropout: 0 };
  const model = LstmModel.create(hyper, 1);
  const js = new JsStep(model.weights(), V, H, H, L);
  const ids = Array.from({ length: 50 }, (_, i) => (i * 7919) % V);
  // Both paths must compute the same distribution.
  const a = model.logProbs(model.advance(model.advance(model.initialState(), 5), 9));
  const b = js.logProbs(js.advance(js.advance(js.initialState(), 5), 9));
  const diff = maxDiff(a, b);
  const output = model.servingOutput;
  const path = model.servingPath;
  // The kernel and the TF.js-ops path in alternating rounds, so a change in the machine's load
  // falls on both.
  const rounds: Record<'chosen' | 'tfjs' | 'readBatched' | 'readSteps' | 'readTfjs', Timing[]> = { chosen: [], tfjs: [], readBatched: [], readSteps: [], readTfjs: [] };
  const readIds = Array.from({ length: readLen }, (_, i) => (i * 104729 + 17) % V);
  for (let r = 0; r < 3; r++) {
    model.setServingKernel('auto');
    rounds.chosen.push(time(Math.ceil(steps / 3), ids, model));
    rounds.readBatched.push(coldRead(model, readIds, true));
    rounds.readSteps.push(coldRead(model, readIds, false));
    model.setServingKernel('tfjs');
    rounds.tfjs.push(time(Math.ceil(steps / 3), ids, model));
    rounds.readTfjs.push(coldRead(model, readIds, false));
  }
  model.setServingKernel('auto');
  const chosen = merge(rounds.chosen);
  const tfjsOps = merge(rounds.tfjs);
  const readBatched = merge(rounds.readBatched);
  const readSteps = merge(rounds.readSteps);
  const readTfjs = merge(rounds.readTfjs);
  model.setServingOutput('float32');
  const f32 = merge([time(steps, ids, model)]);
  const f32Diff = maxDiff(model.logProbs(model.advance(model.advance(model.initialState(), 5), 9)), b);
  // Top-token agreement between the two output layers along a sequence of steps.
  let agree = 0, checked = 0, s32 = model.initialState();
  const tops: number[] = [];
  for (let i = 0; i < 300; i++) tops.push(argmax(model.logProbs((s32 = model.advance(s32, ids[i % ids.length])))));
  model.setServingOutput('auto');
  let sq = model.initialState();
  for (let i = 0; i < 300; i++, checked++) if (argmax(model.logProbs((sq = model.advance(sq, ids[i % ids.length])))) === tops[i]) agree++;
  const alt = merge([time(Math.max(20, steps / 5), ids, js)]);
  console.log(JSON.stringify({
    bench: 'step', backend, loadavg: loadavg().map((x) => +x.toFixed(2)), vocab: V, hidden: H, layers: L, tied: true, path, output,
    max_abs_diff: diff, max_abs_diff_float32: f32Diff, top1_agreement_int8_float32: +(agree / checked).toFixed(4),
    chosen, tfjs_ops: tfjsOps, float32_output: f32, pure_js: alt,
    ratio_tfjs_ops_over_chosen: +(tfjsOps.median / chosen.median).toFixed(2),
    cold_read: { tokens: readLen, batched: readBatched, kernel_steps: readSteps, tfjs_ops_steps: readTfjs, ratio_tfjs_ops_over_batched: +(readTfjs.median / readBatched.median).toFixed(2) },
    ratio_float32_over_chosen: +(f32.median / chosen.median).toFixed(2), ratio_js_over_chosen: +(alt.median / chosen.median).toFixed(2),
  }));
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
