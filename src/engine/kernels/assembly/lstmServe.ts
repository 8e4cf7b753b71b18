// Serving kernels of the LSTM language model (see ../../lstm/servingKernel.ts): batch-1 steps,
// batched reads and the output layer with its log-softmax, over weights packed in one memory.
export { setGemmScratch, packB } from './_gemm';
export { gatherRows } from './_rows';
export { stepLayer, readLayer, outInt8, outFloat, logSumExp, subtractLse } from './_serve';
