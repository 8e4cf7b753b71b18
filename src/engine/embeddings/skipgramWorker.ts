// Worker-thread entry of the hogwild skip-gram threads (skipgramThreads.ts starts them).
import { isMainThread } from 'node:worker_threads';
import { sgnsWorker } from './skipgramThreads';

if (!isMainThread) sgnsWorker();
