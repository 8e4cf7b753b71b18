// Σ exp(x[i] - max) over float32 logits (see ../expSum.ts); the kernel is in _expSum.ts, shared
// with the serving kernels (lstmServe.ts).
export { expSum } from './_expSum';
