// Kernel fixes for @tensorflow/tfjs-backend-wasm 4.22, applied by initBackend when wasm runs.
// 1. UnsortedSegmentSum (the gradient of gather, i.e. of an Embedding) is not registered
//    for wasm; we register a JS implementation working directly on the wasm heap.
// 2. The wasm BatchMatMul/_FusedMatMul only reach XNNPACK for a single, non-transposed
//    product; transposed operands and batches > 1 fall to a scalar loop 8-16x slower.
//    Every matmul gradient is transposed, so we re-register both kernels: transposed
//    operands go through the (fast) Transpose kernel, batches are folded into rows or
//    run one by one through the fast path on zero-copy views of the heap.
// 3. The stock _FusedMatMul returns wrong values for transposed operands; ours transposes first.
import * as tf from '@tensorflow/tfjs';

type DataId = object;
type DataType = 'float32' | 'int32' | 'bool' | 'complex64' | 'string';
interface TensorInfo { dataId: DataId; shape: number[]; dtype: DataType }
interface WasmData { id: number; memoryOffset: number; shape: number[]; dtype: DataType; refCount: number }
interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  tfjs: { disposeData(id: number): void };
}
/** The parts of tfjs-backend-wasm's BackendWasm (4.22) these kernels use. */
interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: DataId): WasmData | undefined; delete(dataId: DataId): boolean };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}
interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmBackend;
  attrs: Record<string, unknown>;
}
type Kernel = (args: KernelArgs) => TensorInfo;

const patched = new WeakSet<object>();
const rawMatMul = new WeakMap<object, (...args: unknown[]) => void>();

/** Registers the fixes for the 'wasm' backend; safe to call more than once. */
export function applyWasmKernelFixes(): void {
  if (!tf.findBackend('wasm')) throw new Error('applyWasmKernelFixes: the wasm backend is not registered');
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
  }
  wrapKernel('BatchMatMul', (original) => (args) => batchMatMul(args, original));
  wrapKernel('_FusedMatMul', (original) => (args) => fusedMatMul(args, original));
}

function wrapKernel(name: string, make: (original: Kernel) => Kernel): void {
  const config = tf.getKernel(name, 'wasm');
  if (!config || patched.has(config.kernelFunc)) return;
  const kernelFunc = make(config.kernelFunc as unknown as Kernel) as unknown as tf.KernelFunc;
  patched.add(kernelFunc);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...config, kernelFunc });
}

// ---------- UnsortedSegmentSum ----------

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const x = inputs.x!;
  const ids = inputs.segmentIds!;
  const numSegments = attrs.numSegments as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): unsupported dtype ${x.dtype}`);
  const nIds = size(ids.shape);
  const inner = nIds === 0 ? 0 : size(x.shape) / nIds;
  const out = backend.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], x.dtype);
  // Views are taken after makeOutput: an allocation can grow (and detach) the heap.
  const outVals = backend.typedArrayFromHeap(out);
  outVals.fill(0);
  if (inner === 0 || numSegments === 0) return out;
  const xVals = backend.typedArrayFromHeap(x);
  const idVals = backend.typedArrayFromHeap(ids);
  for (let i = 0; i < nIds; i++) {
    const s = idVals[i];
    if (s < 0 || s >= numSegments) continue; // TF semantics: out-of-range ids are dropped
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j];
  }
  return out;
}

// ---------- BatchMatMul / _FusedMatMul ----------

function batchMatMul(args: KernelArgs, original: Kernel): TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !worthUntransposing(a, b, args.attrs)) return original(args);
  const temps: TensorInfo[] = [];
  try {
    const [a2, b2] = untranspose(backend, a, b, args.attrs, temps);
    const outShape = outputShape(a2.shape, b2.shape);
    const noTranspose = { transposeA: false, transposeB: false };
    const batchA = size(a2.shape.slice(0, -2));
    const batchB = size(b2.shape.slice(0, -2));
    if (batchB === 1) {
      // One product: fold A's batch into its rows (same memory layout as the output).
      // Same dataIds, so XNNPACK's operator cache (keyed by B's id) keeps hitting.
      const [m, k] = a2.shape.slice(-2);
      const a3 = { ...a2, shape: [1, batchA * m, k] };
      const b3 = { ...b2, shape: [1, ...b2.shape.slice(-2)] };
      const out = original({ inputs: { a: a3, b: b3 }, backend, attrs: noTranspose });
      out.shape = outShape;
      return out;
    }
    if (batchA !== 1 && batchA !== batchB) {
      return original({ inputs: { a: a2, b: b2 }, backend, attrs: noTranspose }); // general broadcast: rare
    }
    return perBatch(backend, a2, b2, batchA, batchB, outShape, temps);
  } finally {
    release(backend, temps);
  }
}

/** Runs each batch through the fast single-product path on heap views (no copies). */
function perBatch(backend: WasmBackend, a: TensorInfo, b: TensorInfo, batchA: number, batchB: number, outShape: number[], temps: TensorInfo[]): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const matmul = cwrapMatMul(backend);
  const out = backend.makeOutput(outShape, 'float32');
  const aShape = int32Bytes([1, m, k]);
  const bShape = int32Bytes([1, k, n]);
  for (let i = 0; i < batchB; i++) {
    const ai = view(backend, a, batchA === 1 ? 0 : i * m * k, [1, m, k], temps);
    const bi = view(backend, b, i * k * n, [1, k, n], temps);
    const oi = view(backend, out, i * m * n, [1, m, n], temps);
    matmul(id(backend, ai), aShape, 3, id(backend, bi), bShape, 3, false, false, id(backend, oi));
  }
  return out;
}

function fusedMatMul(args: KernelArgs, original: Kernel): TensorInfo {
  const { backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  // Always explicit here: the stock fused kernel gives WRONG values when an operand is
  // transposed (measured with bias + relu, 4.22), not only slow ones.
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
  const temps: TensorInfo[] = [];
  try {
    let [a2, b2] = untranspose(backend, a, b, attrs, temps);
    const outShape = outputShape(a2.shape, b2.shape);
    const batchA = size(a2.shape.slice(0, -2));
    const batchB = size(b2.shape.slice(0, -2));
    const preluPerElement = preluActivationWeights != null && preluActivationWeights.shape.length > 1;
    if (batchA > 1 && batchB === 1 && !preluPerElement) {
      const [m, k] = a2.shape.slice(-2);
      a2 = { ...a2, shape: [1, batchA * m, k] };
      b2 = { ...b2, shape: [1, ...b2.shape.slice(-2)] };
    }
    const out = original({ inputs: { a: a2, b: b2, bias, preluActivationWeights }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    out.shape = outShape;
    return out;
  } finally {
    release(backend, temps);
  }
}

// An explicit transpose costs ~50x a fast multiply-add per element moved, the scalar loop
// ~12x: transposing B (K*N moves) pays off once A has a few rows, and A once B has a few
// columns. Below that (e.g. one query row against a big matrix) the stock kernel is faster.
const MIN_OTHER_SIDE = 8;

/** Whether the transposes should be made explicit (see MIN_OTHER_SIDE). */
function worthUntransposing(a: TensorInfo, b: TensorInfo, attrs: Record<string, unknown>): boolean {
  const ar = a.shape.length, br = b.shape.length;
  const m = attrs.transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const n = attrs.transposeB ? b.shape[br - 2] : b.shape[br - 1];
  return (!attrs.transposeA || n >= MIN_OTHER_SIDE) && (!attrs.transposeB || m >= MIN_OTHER_SIDE);
}

/** Returns [A, B] with the requested transposes of the last two axes made explicit. */
function untranspose(backend: WasmBackend, a: TensorInfo, b: TensorInfo, attrs: Record<string, unknown>, temps: TensorInfo[]): [TensorInfo, TensorInfo] {
  const a2 = attrs.transposeA ? transposeLast2(backend, a, temps) : a;
  const b2 = attrs.transposeB ? transposeLast2(backend, b, temps) : b;
  const k1 = a2.shape[a2.shape.length - 1];
  const k2 = b2.shape[b2.shape.length - 2];
  if (k1 !== k2) {
    throw new Error(`Error in matMul: inner shapes (${k1}) and (${k2}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${attrs.transposeA} and transposeB=${attrs.transposeB} must match.`);
  }
  return [a2, b2];
}

function transposeLast2(backend: WasmBackend, x: TensorInfo, temps: TensorInfo[]): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc as unknown as Kernel;
  const t = transpose({ inputs: { x }, backend, attrs: { perm } });
  temps.push(t);
  return t;
}

function outputShape(aShape: number[], bShape: number[]): number[] {
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  return [...batch, aShape[aShape.length - 2], bShape[bShape.length - 1]];
}

/** A tensor sharing `x`'s heap memory from element `offset` (float32). Released with `release`. */
function view(backend: WasmBackend, x: TensorInfo, offset: number, shape: number[], temps: TensorInfo[]): TensorInfo {
  const data = backend.dataIdMap.get(x.dataId)!;
  const v = backend.makeOutput(shape, x.dtype, data.memoryOffset + offset * 4);
  aliases.add(v.dataId);
  temps.push(v);
  return v;
}
const aliases = new WeakSet<DataId>();

function release(backend: WasmBackend, temps: TensorInfo[]): void {
  for (const t of temps) {
    if (aliases.has(t.dataId)) {
      // A view owns no memory: forget it without freeing (tfjs.disposeData also drops
      // XNNPACK operators cached for this id).
      const data = backend.dataIdMap.get(t.dataId);
      backend.dataIdMap.delete(t.dataId);
      if (data) backend.wasm.tfjs.disposeData(data.id);
    } else {
      backend.disposeData(t.dataId);
    }
  }
}

function cwrapMatMul(backend: WasmBackend): (...args: unknown[]) => void {
  let fn = rawMatMul.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    rawMatMul.set(backend, fn);
  }
  return fn;
}

const id = (backend: WasmBackend, t: TensorInfo): number => backend.dataIdMap.get(t.dataId)!.id;
const int32Bytes = (xs: number[]): Uint8Array => new Uint8Array(new Int32Array(xs).buffer);
const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
