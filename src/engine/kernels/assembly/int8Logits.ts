// The int8 output layer of a batch-1 step (see ../int8Logits.ts); the kernel is in _int8Dot.ts,
// shared with the serving kernels (lstmServe.ts).
export { logits } from './_int8Dot';
