// Starts the training worker from the TypeScript source (runs without a build). A worker
// cannot take `--import tsx` in execArgv on Node 20, so it registers tsx itself.
require('tsx/cjs');
require('../engine/trainWorker.ts');
