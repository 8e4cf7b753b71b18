// Optimisers as plain TF.js variable updates, so the learning rate can follow a schedule
// each step and the state is ours to dispose. Adam (Kingma & Ba) and the anchor's plain SGD.
import * as tf from '@tensorflow/tfjs';

export type OptimizerKind = 'adam' | 'sgd';

export interface Optimizer {
  /** Applies `grads` (same order as the variables) with learning rate `lr`. */
  apply(grads: tf.Tensor[], lr: number): void;
  dispose(): void;
}

export function createOptimizer(kind: OptimizerKind, vars: tf.Variable[]): Optimizer {
  return kind === 'adam' ? new Adam(vars) : new Sgd(vars);
}

class Sgd implements Optimizer {
  constructor(private readonly vars: tf.Variable[]) {}
  apply(grads: tf.Tensor[], lr: number): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(tf.sub(v, tf.mul(grads[i], lr)))));
  }
  dispose(): void {}
}

class Adam implements Optimizer {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  constructor(
    private readonly vars: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    const zeros = (x: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(x), false));
    this.m = vars.map(zeros);
    this.v = vars.map(zeros);
  }
  apply(grads: tf.Tensor[], lr: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    // Bias correction folded into the step size.
    const step = (lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), step)));
      });
    });
  }
  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
