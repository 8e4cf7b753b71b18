// wordlens add-ngram: completes a model folder trained elsewhere (trainers/torch/, any TF.js
// LSTM) into what `train` writes: the Kneser-Ney n-gram built over the same training ids, and
// the LSTM + n-gram mixture weight λ fitted on the validation ids, saved atomically.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from './command';
import { fmt, UserError } from './output';
import { checkOutputFolder, readTextFile } from './files';
import { TOKEN_FILES, type TokenStreamsInfo } from './tokenize';
import { initBackend } from '../engine/kernels/backend';
import { loadModel, MODEL_FORMAT_VERSION, saveModel } from '../engine/io/store';
import { readInt32Npy } from '../engine/io/npy';
import { LstmModel } from '../engine/lstm/lstm';
import { NgramModel } from '../engine/ngram/ngram';
import { fitMixture, NGRAM_ORDER } from '../engine/pipeline/fit';
import type { LstmHyper, ModelMeta } from '../engine/types';

export const addNgramCommand: Command = {
  spec: {
    name: 'add-ngram',
    summary: 'Add the n-gram and the fitted mixture to a model folder trained elsewhere.',
    usage: 'wordlens add-ngram --model DIR --tokens DIR [--out DIR] [--json]',
    options: {
      model: { type: 'string', valueName: 'DIR', description: 'an LSTM model folder (e.g. exported by trainers/torch/)', required: true },
      tokens: { type: 'string', valueName: 'DIR', description: 'the `wordlens tokenize` folder it was trained from', required: true },
      out: { type: 'string', valueName: 'DIR', description: 'where to write the completed folder', defaultText: 'the --model folder, replaced atomically' },
    },
    positionals: { name: 'nothing', min: 0, max: 0 },
    details: 'The vocabulary of the model and of the token folder must be the same, word for word.',
  },
  async run(args, out) {
    const modelDir = path.resolve(args.required('model'));
    const tokensDir = path.resolve(args.required('tokens'));
    const outDir = path.resolve(args.string('out', modelDir));
    await checkOutputFolder(outDir);
    const backend = await initBackend();
    const saved = await loadModel(modelDir);
    if (saved.meta.kind !== 'lstm') throw new UserError(`${modelDir} holds ${saved.meta.kind} embeddings, not an LSTM`);
    const info = JSON.parse(await readTextFile(path.join(tokensDir, TOKEN_FILES.info), 'token folder description')) as TokenStreamsInfo;
    const words = (JSON.parse(await readTextFile(path.join(tokensDir, TOKEN_FILES.vocab), 'vocabulary')) as { words: string[] }).words;
    const differs = words.length !== saved.vocab.words.length ? -1 : words.findIndex((w, i) => w !== saved.vocab.words[i]);
    if (differs !== -1 || words.length !== saved.vocab.words.length) {
      throw new UserError(
        `${tokensDir}/vocab.json does not match the model's vocabulary (${words.length} vs ${saved.vocab.words.length} words` +
          (differs >= 0 ? `, first difference at id ${differs}` : '') + '): use the token folder the model was trained on',
      );
    }
    const [train, valid] = await Promise.all([readInt32Npy(path.join(tokensDir, TOKEN_FILES.train)), readInt32Npy(path.join(tokensDir, TOKEN_FILES.valid))]);
    const t0 = Date.now();
    const ngram = NgramModel.build(train, words.length, NGRAM_ORDER);
    const ngramPpl = valid.length >= 2 ? ngram.perplexity(valid) : null;
    out.progress({ event: 'ngram', order: NGRAM_ORDER, validPpl: ngramPpl }, `n-gram built in ${fmt((Date.now() - t0) / 1000, 2)} s, validation perplexity ${fmt(ngramPpl)}`);
    const hyper = saved.meta.hyper as unknown as LstmHyper;
    const lstm = LstmModel.fromWeights({ ...hyper, dropout: 0 }, saved.weights);
    try {
      const mix = valid.length >= 2
        ? await fitMixture(lstm, ngram, valid, (e) => e.event === 'fitting' && out.progress(e, 'fitting the mixture on the validation ids'))
        : { lambda: 0.5, validPpl: null, lstmPpl: null };
      const meta: ModelMeta = {
        ...saved.meta,
        format: 'wordlens-model',
        version: MODEL_FORMAT_VERSION,
        tokenizer: info.tokenizer,
        metrics: {
          ...Object.fromEntries(Object.entries(saved.meta.metrics).filter(([k]) => k !== 'inferred')),
          ngram_order: NGRAM_ORDER,
          valid_ppl_ngram: ngramPpl,
          valid_ppl_lstm: mix.lstmPpl,
          valid_ppl: mix.validPpl,
          lambda: mix.lambda,
          ngram_backend: backend,
        },
        corpus: Object.keys(saved.meta.corpus ?? {}).length > 1 ? saved.meta.corpus : info.corpus,
      };
      await saveModel(outDir, { meta, vocab: saved.vocab, weights: saved.weights, ngram: ngram.serialize() });
      await fsp.access(outDir);
      out.result(
        { dir: outDir, lambda: mix.lambda, valid_ppl: mix.validPpl, valid_ppl_lstm: mix.lstmPpl, valid_ppl_ngram: ngramPpl },
        `wrote ${outDir}: λ = ${fmt(mix.lambda, 3)}, validation perplexity ${fmt(mix.validPpl)} (LSTM ${fmt(mix.lstmPpl)}, n-gram ${fmt(ngramPpl)})`,
      );
    } finally {
      lstm.dispose();
    }
  },
};
