// Worker-thread entry of a UMAP layout helper thread (umapLayout.ts starts them when threads > 1).
import { isMainThread } from 'node:worker_threads';
import { layoutHelper } from './umapLayout';

if (!isMainThread) layoutHelper();
