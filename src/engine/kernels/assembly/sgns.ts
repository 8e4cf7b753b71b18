// The skip-gram kernels (_sgns.ts) over this module's own memory: one thread, and nnDescent's dot products.
export { dot, update, add } from './_sgns';
