// Reads the network a model.json describes, so a model folder trained elsewhere (TF.js's own
// LayersModel.save, Keras through tensorflowjs_converter, trainers/torch/) loads by what it
// is, not by what meta.json claims: Embedding -> LSTM layers -> Dense, with each weight's
// file name mapped to Wordlens's own (`lstm/kernel`, ...). Anything else is refused with a
// message that says what was found.
import { lstmLayerName, type TopologyShape } from './layersTopology';

export interface ReadTopology {
  shape: TopologyShape & { tied: boolean };
  /** Weight name in the file -> Wordlens's name. */
  names: Map<string, string>;
}

interface LayerJson {
  class_name?: unknown;
  config?: Record<string, unknown>;
}

/** Layers that only matter in training or only declare the input: skipped when reading. */
const PASS_THROUGH = new Set(['Dropout', 'InputLayer', 'SpatialDropout1D', 'Activation']);

export function readTopology(modelTopology: unknown, weightNames: string[]): ReadTopology {
  const layers = layerList(modelTopology).filter((l) => !PASS_THROUGH.has(String(l.class_name)));
  const found = layers.map((l) => String(l.class_name)).join(' -> ') || '(no layers)';
  const refuse = (why: string): never => {
    throw new Error(`model.json's network (${found}) cannot be used: ${why}`);
  };
  if (layers.length === 0 || layers[0].class_name !== 'Embedding') refuse('the first layer must be an Embedding');
  const emb = layers[0].config ?? {};
  const vocabSize = positiveInt(emb.input_dim, 'Embedding input_dim', refuse);
  const embedDim = positiveInt(emb.output_dim, 'Embedding output_dim', refuse);
  const names = new Map<string, string>();
  const byLayer = weightsByLayer(weightNames);
  mapWeights(byLayer, String(emb.name ?? ''), { embeddings: 'embedding/embeddings' }, names, refuse);

  const rest = layers.slice(1);
  if (rest.length === 0) {
    return { shape: { kind: 'vectors', vocabSize, embedDim, tied: false }, names };
  }
  let hiddenDim = 0;
  let lstmCount = 0;
  for (const layer of rest.slice(0, -1)) {
    if (layer.class_name !== 'LSTM') refuse(`${String(layer.class_name)} layers are not supported (only LSTM between Embedding and Dense)`);
    const c = layer.config ?? {};
    const units = positiveInt(c.units, 'LSTM units', refuse);
    if (hiddenDim && units !== hiddenDim) refuse(`LSTM layers of different widths (${hiddenDim}, ${units})`);
    hiddenDim = units;
    expectValue(c.activation ?? 'tanh', 'tanh', 'LSTM activation', refuse);
    // TF.js's own default is hard_sigmoid: the same shapes, other numbers, so never read it as sigmoid.
    expectValue(c.recurrent_activation ?? 'hard_sigmoid', 'sigmoid', 'LSTM recurrent_activation', refuse);
    if (c.return_sequences !== true) refuse('every LSTM needs return_sequences: true (one prediction per token)');
    if (c.go_backwards === true) refuse('a backwards LSTM cannot predict the next token');
    if (c.use_bias === false) refuse('LSTM layers without a bias are not supported');
    const to = lstmLayerName(lstmCount++);
    mapWeights(byLayer, String(c.name ?? ''), { kernel: `${to}/kernel`, recurrent_kernel: `${to}/recurrent_kernel`, bias: `${to}/bias` }, names, refuse);
  }
  if (lstmCount === 0) refuse('there is no LSTM layer');
  if (lstmCount > 2) refuse(`${lstmCount} LSTM layers; Wordlens runs 1 or 2`);
  const dense = rest[rest.length - 1];
  if (dense.class_name !== 'Dense') refuse('the last layer must be a Dense layer over the vocabulary');
  const d = dense.config ?? {};
  if (positiveInt(d.units, 'Dense units', refuse) !== vocabSize) refuse(`Dense has ${String(d.units)} units for a vocabulary of ${vocabSize}`);
  const activation = d.activation ?? 'linear';
  if (activation !== 'softmax' && activation !== 'linear') refuse(`Dense activation ${JSON.stringify(activation)} (softmax or linear expected)`);
  if (d.use_bias === false) refuse('a Dense layer without a bias is not supported');
  mapWeights(byLayer, String(d.name ?? ''), { kernel: 'dense/kernel', bias: 'dense/bias' }, names, refuse, ['kernel']);
  // An output kernel absent from the file is the embedding's transpose (a tied model).
  const tied = ![...names.values()].includes('dense/kernel');
  if (tied && embedDim !== hiddenDim) refuse('the Dense kernel is missing and the embedding cannot stand in for it (widths differ)');
  return { shape: { kind: 'lstm', vocabSize, embedDim, hiddenDim, layers: lstmCount, tied }, names };
}

/** The layer list of a Sequential (config.layers, or the older bare list) or a functional model. */
function layerList(topology: unknown): LayerJson[] {
  const t = (topology ?? {}) as { class_name?: unknown; config?: unknown; model_config?: unknown };
  const inner = (t.model_config ?? t) as { class_name?: unknown; config?: unknown };
  const config = inner.config as { layers?: unknown } | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : Array.isArray(config?.layers) ? config.layers : undefined;
  if (!layers) throw new Error(`model.json's modelTopology has no layer list (class ${JSON.stringify(inner.class_name)})`);
  return layers as LayerJson[];
}

/**
 * Weight file names grouped by their layer: `<layer>/<weight>` (TF.js's save and our own) or
 * `<layer>/<cell>/<weight>` (Keras's converter: `lstm/lstm_cell/kernel`).
 */
function weightsByLayer(weightNames: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const full of weightNames) {
    const parts = full.split('/');
    if (parts.length < 2) continue;
    const layer = parts[0];
    const leaf = parts[parts.length - 1].replace(/:\d+$/, '');
    if (!out.has(layer)) out.set(layer, new Map());
    out.get(layer)!.set(leaf, full);
  }
  return out;
}

function mapWeights(
  byLayer: Map<string, Map<string, string>>,
  layer: string,
  wanted: Record<string, string>,
  names: Map<string, string>,
  refuse: (why: string) => never,
  optional: string[] = [],
): void {
  const have = byLayer.get(layer);
  for (const [leaf, to] of Object.entries(wanted)) {
    const from = have?.get(leaf);
    if (from) names.set(from, to);
    else if (!optional.includes(leaf)) refuse(`no weight ${layer}/${leaf} (or ${layer}/<cell>/${leaf}) in the weights manifest`);
  }
}

function positiveInt(v: unknown, what: string, refuse: (why: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) refuse(`${what} is ${JSON.stringify(v)}, not a positive integer`);
  return v as number;
}

function expectValue(v: unknown, want: string, what: string, refuse: (why: string) => never): void {
  const name = typeof v === 'string' ? v : (v as { class_name?: unknown })?.class_name;
  const norm = String(name).replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  if (norm !== want) refuse(`${what} is ${JSON.stringify(name)}; Wordlens's LSTM computes ${want}`);
}
