// The fused LSTM language-model trainer's kernels (see src/engine/lstm/fusedTrainer.ts):
// GEMM, embedding gather/scatter, LSTM gates forward and backward, sampled and full softmax,
// gradient norms and Adam, all over raw addresses in one (shared) linear memory that holds
// the weights, optimiser moments, activations and gradients.
export { setGemmScratch, packB, gemmPacked, gemm } from './_gemm';
export { lstmGatesForward, lstmGatesBackward } from './_lstm';
export { gatherRows, scatterAddRows, touchRows, fillRows, addColumnSums, mulInPlace, mulInto, setSeed, getSeed, dropoutMask, sumSquares, sumSquaresRows, addAndClear, mergeRows } from './_rows';
export { sampledSoftmaxRows, targetGradients, softmaxSlice, softmaxSliceNll } from './_softmax';
export { adamDense, adamRows } from './_adam';
