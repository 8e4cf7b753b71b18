// The training step on TF.js: forward through the model's own variables, loss (sampled or
// full softmax), gradients by autodiff, clip by global norm, optimizer update.
import * as tf from '@tensorflow/tfjs';
import { replaceState } from './batches';
import type { LstmModel, TensorState } from './lstm';
import { createOptimizer, type Optimizer } from './optimizer';
import { sampledSoftmaxLoss } from './sampledSoftmax';
import { softmaxCrossEntropy } from './softmax';
import type { StepperSetup, TrainStepper } from './trainStepper';
import type { NamedWeight } from '../types';

export function createTfjsTrainStepper(model: LstmModel, setup: StepperSetup): TrainStepper {
  return new TfjsTrainStepper(model, setup);
}

class TfjsTrainStepper implements TrainStepper {
  private readonly vars: tf.Variable[];
  private readonly optimizer: Optimizer;
  private state: TensorState;

  constructor(
    private readonly model: LstmModel,
    private readonly setup: StepperSetup,
  ) {
    this.vars = model.trainableVariables();
    this.optimizer = createOptimizer(setup.optimizer, this.vars);
    this.state = model.zeroState(setup.batch);
  }

  async step(x: Int32Array, y: Int32Array, steps: number, lr: number): Promise<number> {
    const { model, vars, setup } = this;
    const { batch, clip, sampled } = setup;
    const sample = sampled?.sampler.sample(sampled.samples);
    const next: { state?: TensorState } = {};
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward(x, steps, batch, this.state, setup.dropout);
        next.state = { h: out.state.h.map((t) => tf.keep(t)), c: out.state.c.map((t) => tf.keep(t)) };
        if (sampled && sample) {
          const target = model.outputRows(tf.tensor1d(y, 'int32'));
          const neg = model.outputColumns(tf.tensor1d(sample.ids, 'int32'));
          return sampledSoftmaxLoss(out.hidden, target.w, target.b, neg.w, neg.b, y, sample, sampled.sampler);
        }
        const logits = tf.add(tf.matMul(out.hidden, model.trainableOutKernel()), model.trainableOutBias()) as tf.Tensor2D;
        return softmaxCrossEntropy(logits, y);
      }, vars);
      const list = vars.map((v) => grads[v.name]);
      // Clip by global norm without a sync: scale = clip / max(norm, clip).
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.div(clip, tf.maximum(norm, clip));
      this.optimizer.apply(list.map((g) => tf.mul(g, scale)), lr);
      return value;
    });
    model.weightsChanged();
    // The next step starts from this step's final state (truncated backprop).
    this.state = replaceState(this.state, next.state!);
    const loss = (await lossValue.data())[0];
    lossValue.dispose();
    return loss;
  }

  resetState(): void {
    this.state = replaceState(this.state, this.model.zeroState(this.setup.batch));
  }

  weights(): NamedWeight[] {
    return this.model.weights();
  }

  syncModel(): void {
    // The model's own variables are the ones trained.
  }

  dispose(): void {
    this.state = replaceState(this.state, { h: [], c: [] });
    this.optimizer.dispose();
  }
}
