// wordlens project: the embedding map's coordinates (PCA or UMAP) written to a JSON file,
// for plotting elsewhere or checking the map the extension shows.
import { MODEL_OPTION, type Command } from './command';
import { openEmbeddings } from './embeddings';
import { checkOutputParent } from './files';
import { fmt, UserError } from './output';
import { writeFileAtomic } from '../engine/io/atomic';
import { isStopError } from '../engine/stop';
import { onInterrupt } from './interrupt';
import { pca, umapProject } from '../engine/projection/projection';

export const projectCommand: Command = {
  spec: {
    name: 'project',
    summary: 'Project a model\'s embeddings to 2-D (or 3-D) and write {"words","coords"} JSON.',
    usage: 'wordlens project --model DIR --out FILE.json [--method pca|umap] [--dims 2|3] [--max-words N] [--json]',
    options: {
      model: MODEL_OPTION,
      out: { type: 'string', valueName: 'FILE.json', description: 'file to write (replaced atomically)', required: true },
      method: { type: 'string', choices: ['pca', 'umap'], description: 'PCA is instant; UMAP keeps neighbourhoods', defaultText: 'umap' },
      dims: { type: 'number', integer: true, min: 2, max: 3, description: 'output dimensions', defaultText: '2' },
      'max-words': { type: 'number', integer: true, min: 2, description: 'only the most frequent words (the vocabulary is in frequency order)', defaultText: 'all' },
      neighbors: { type: 'number', integer: true, min: 2, max: 200, description: 'UMAP neighbourhood size', defaultText: '15' },
      epochs: { type: 'number', integer: true, min: 1, description: 'UMAP epochs', defaultText: 'umap-js\'s default for the size' },
      seed: { type: 'number', integer: true, description: 'UMAP random seed (maps above 10,000 words run on 2 threads and vary slightly from run to run)', defaultText: '42' },
    },
    positionals: { name: 'nothing', min: 0, max: 0 },
  },
  async run(args, out) {
    const file = args.required('out');
    await checkOutputParent(file);
    const e = await openEmbeddings(args.required('model'));
    e.index.dispose();
    const n = Math.min(e.words.length, args.number('max-words', e.words.length));
    const matrix = e.matrix.subarray(0, n * e.dim);
    const dims = args.number('dims', 2) as 2 | 3;
    const method = args.string('method', 'umap');
    const t0 = Date.now();
    let coords: Float32Array;
    if (method === 'pca') {
      coords = pca(matrix, n, e.dim, dims).coords;
    } else {
      const nNeighbors = args.number('neighbors', 15);
      if (n <= nNeighbors) throw new UserError(`UMAP needs more than ${nNeighbors} words (the model has ${n}); use --method pca or a smaller --neighbors`);
      let last = 0;
      const abort = new AbortController();
      const stopListening = onInterrupt(out, () => abort.abort(), 'stopping the projection');
      try {
        coords = (await umapProject(matrix, n, e.dim, {
        nComponents: dims,
        nNeighbors,
        nEpochs: args.number('epochs'),
        seed: args.number('seed', 42),
        init: pca(matrix, n, e.dim, dims),
          signal: abort.signal,
        onEpoch: (_c, epoch, total) => {
          if (Date.now() - last < 1000 && epoch < total) return;
          last = Date.now();
          out.progress({ event: 'progress', epoch, epochs: total }, `UMAP epoch ${epoch}/${total}`);
        },
        })).coords;
      } catch (error) {
        if (!isStopError(error)) throw error;
        out.result({ cancelled: true, path: file }, `stopped: ${file} was not written (an older file there is as it was)`);
        return;
      } finally {
        stopListening();
      }
    }
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) rows.push(Array.from(coords.subarray(i * dims, (i + 1) * dims)));
    await writeFileAtomic(file, JSON.stringify({ words: e.words.slice(0, n), coords: rows }));
    const seconds = (Date.now() - t0) / 1000;
    out.result(
      { points: n, seconds, backend: e.backend },
      `wrote ${method.toUpperCase()} coordinates of ${fmt(n)} words to ${file} in ${fmt(seconds, 3)} s (${e.backend})`,
    );
  },
};
