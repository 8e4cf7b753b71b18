// Ctrl-C during long work: the first one asks the work to stop and keep what it has; a
// second one quits at once (exit 130). Whatever was saved atomically before stays intact.
import type { Output } from './output';

export function onInterrupt(out: Output, stop: () => void, message: string): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      out.note(`\n${message} (Ctrl-C again to quit now)`);
      stop();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
