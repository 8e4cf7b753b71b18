// The Keras/TF.js `Sequential` topology written into model.json, and the weights it
// implies. `tf.loadLayersModel` rebuilds the same network from it, so a saved folder is a
// real layers model (and a Keras model converted with tensorflowjs_converter has this shape).

export type ModelKind = 'lstm' | 'skipgram' | 'vectors';

export interface TopologyShape {
  kind: ModelKind;
  vocabSize: number;
  embedDim: number;
  /** LSTM only. */
  hiddenDim?: number;
  layers?: number;
}

/** Names and shapes of every weight the topology needs, in layer order. */
export function expectedWeights(s: TopologyShape): { name: string; shape: number[] }[] {
  const out = [{ name: 'embedding/embeddings', shape: [s.vocabSize, s.embedDim] }];
  if (s.kind !== 'lstm') return out;
  const h = s.hiddenDim ?? 0;
  for (let l = 0; l < (s.layers ?? 0); l++) {
    const name = lstmLayerName(l);
    const input = l === 0 ? s.embedDim : h;
    out.push(
      { name: `${name}/kernel`, shape: [input, 4 * h] },
      { name: `${name}/recurrent_kernel`, shape: [h, 4 * h] },
      { name: `${name}/bias`, shape: [4 * h] },
    );
  }
  out.push({ name: 'dense/kernel', shape: [h, s.vocabSize] }, { name: 'dense/bias', shape: [s.vocabSize] });
  return out;
}

/** Keras names repeated layers `lstm`, `lstm_1`, `lstm_2`, ... */
function lstmLayerName(index: number): string {
  return index === 0 ? 'lstm' : `lstm_${index}`;
}

/** The `modelTopology` object of model.json. */
export function layersTopology(s: TopologyShape): Record<string, unknown> {
  const layers: Record<string, unknown>[] = [
    {
      class_name: 'Embedding',
      config: {
        name: 'embedding',
        input_dim: s.vocabSize,
        output_dim: s.embedDim,
        embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
        embeddings_regularizer: null,
        activity_regularizer: null,
        embeddings_constraint: null,
        mask_zero: null,
        input_length: null,
        trainable: true,
        batch_input_shape: [null, null],
        dtype: 'float32',
      },
    },
  ];
  if (s.kind === 'lstm') {
    for (let l = 0; l < (s.layers ?? 0); l++) layers.push(lstmLayer(lstmLayerName(l), s.hiddenDim ?? 0));
    layers.push({
      class_name: 'Dense',
      config: {
        name: 'dense',
        units: s.vocabSize,
        activation: 'softmax',
        use_bias: true,
        kernel_initializer: glorotNormal(),
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
        trainable: true,
      },
    });
  }
  return {
    class_name: 'Sequential',
    config: { name: s.kind === 'lstm' ? 'wordlens_lstm' : 'wordlens_embedding', layers },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

function lstmLayer(name: string, units: number): Record<string, unknown> {
  return {
    class_name: 'LSTM',
    config: {
      name,
      units,
      // Keras semantics: gates i, f, c, o with a true sigmoid (TF.js's default is hard sigmoid).
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      kernel_initializer: glorotNormal(),
      recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      unit_forget_bias: null,
      kernel_regularizer: null,
      recurrent_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      recurrent_constraint: null,
      bias_constraint: null,
      dropout: 0,
      recurrent_dropout: 0,
      implementation: null,
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      trainable: true,
    },
  };
}

function glorotNormal(): Record<string, unknown> {
  return { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } };
}
