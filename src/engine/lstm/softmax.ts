// Softmax cross-entropy with a hand-written gradient (softmax - onehot): TF.js's autodiff
// of logSumExp goes through max/equal/broadcast kernels that cost more than the loss itself.
import * as tf from '@tensorflow/tfjs';

/** Mean over rows of -log softmax(logits)[row, labels[row]]. `logits` [N, C]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  const [n, c] = logits.shape;
  if (labels.length !== n) throw new Error(`softmaxCrossEntropy: ${labels.length} labels for ${n} rows`);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i * c + labels[i];
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const lse = tf.logSumExp(x, 1);
    const picked = tf.gather(tf.reshape(x, [-1]), tf.tensor1d(idx, 'int32'));
    save([x, lse]);
    return {
      value: tf.mean(tf.sub(lse, picked)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, l] = saved;
        const p = tf.exp(tf.sub(xs, tf.reshape(l, [n, 1])));
        const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
        return tf.mul(tf.sub(p, onehot), tf.div(dy, n));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(logits) as tf.Scalar;
}
