// The skip-gram kernels (_sgns.ts) over an imported shared memory (env.memory): the module is
// posted to the Hogwild worker threads of skipgramThreads.ts, which all update the same vectors.
export { dot, update, add } from './_sgns';
