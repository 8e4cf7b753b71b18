// wordlens/debugStats: memory figures of the server process, so leak tests (and users
// filing a bug) can watch RSS and live TF.js tensors over a long session.
import * as tf from '@tensorflow/tfjs';
import { DebugStatsRequest, type DebugStatsResult } from '../../protocol';
import type { ServerContext } from '../context';

export function registerDebugStats(ctx: ServerContext): void {
  ctx.connection.onRequest(DebugStatsRequest, (): DebugStatsResult => {
    const memory = process.memoryUsage();
    const tensors = tf.memory();
    return {
      pid: process.pid,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      numTensors: tensors.numTensors,
      numBytes: tensors.numBytes,
      documents: ctx.documents.all().length,
    };
  });
}
