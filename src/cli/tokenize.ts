// wordlens tokenize: the token-id streams `train` would learn from, written for a trainer
// elsewhere (trainers/torch/): train.npy and valid.npy (int32), vocab.json and tokens.json.
// Same corpus walk, tokenizer, 90/10 split and vocabulary as `train` (readTrainingText).
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from './command';
import { fmt, UserError, type Output } from './output';
import { readTextFile, reason } from './files';
import { encodeText } from '../engine/text/dataset';
import { createTokenizer } from '../engine/text/tokenizer';
import { Vocab } from '../engine/text/vocab';
import { encodeInt32Npy } from '../engine/io/npy';
import { writeFolderAtomic } from '../engine/io/atomic';
import { readTrainingText } from '../engine/text/trainingText';
import type { TokenizerKind } from '../engine/types';

/** What tokens.json records: enough for a trainer and for `add-ngram` to rebuild the folder's meta. */
export interface TokenStreamsInfo {
  format: 'wordlens-tokens';
  version: 1;
  tokenizer: TokenizerKind;
  vocabSize: number;
  trainTokens: number;
  validTokens: number;
  corpus: Record<string, unknown>;
}

export const TOKEN_FILES = { train: 'train.npy', valid: 'valid.npy', vocab: 'vocab.json', info: 'tokens.json', ids: 'ids.npy' } as const;

export const tokenizeCommand: Command = {
  spec: {
    name: 'tokenize',
    summary: 'Write the token ids `train` would see, for a trainer on another machine.',
    usage: 'wordlens tokenize <path...> --out DIR [--tokenizer code|whitespace] [--max-vocab N] [--min-count N] [--vocab FILE] [--json]',
    options: {
      out: { type: 'string', valueName: 'DIR', description: 'folder to write (replaced atomically)', required: true },
      tokenizer: { type: 'string', choices: ['code', 'whitespace'], description: 'as for train', defaultText: 'code' },
      'max-vocab': { type: 'number', integer: true, min: 2, description: 'keep only the most frequent words' },
      'min-count': { type: 'number', integer: true, min: 1, description: 'words seen fewer times become <unk>', defaultText: '1' },
      'max-file-kb': { type: 'number', min: 1, description: 'skip files larger than this inside folders', defaultText: '1024' },
      vocab: { type: 'string', valueName: 'FILE', description: 'encode the files whole with this vocab.json (held-out text, as `eval` reads it) into ids.npy' },
    },
    positionals: { name: 'files or folders to read', min: 1, max: Infinity },
    details:
      'Writes train.npy and valid.npy (1-D little-endian int32, numpy.load reads them), vocab.json\n' +
      '({"words": [...], "counts": [...]}, id = index) and tokens.json (tokenizer, sizes, corpus).\n' +
      'See docs/scale-out.md for training them with trainers/torch/ and bringing the model back.',
  },
  async run(args, out) {
    const outDir = path.resolve(args.required('out'));
    await checkTokensFolder(outDir);
    const tokenizer = args.string('tokenizer', 'code') as TokenizerKind;
    const vocabFile = args.string('vocab');
    if (vocabFile) return encodeHeldOut(args.positionals, vocabFile, tokenizer, outDir, out);
    const text = await readTrainingText(args.positionals, {
      tokenizer,
      maxVocab: args.number('max-vocab'),
      minCount: args.number('min-count'),
      maxFileBytes: args.has('max-file-kb') ? args.number('max-file-kb', 1024) * 1024 : undefined,
    }).catch((err) => {
      throw new UserError((err as Error).message);
    });
    const { dataset } = text;
    const info: TokenStreamsInfo = {
      format: 'wordlens-tokens',
      version: 1,
      tokenizer,
      vocabSize: dataset.vocab.size,
      trainTokens: dataset.train.length,
      validTokens: dataset.valid.length,
      corpus: text.summary,
    };
    await writeFolderAtomic(outDir, async (tmp) => {
      await fsp.writeFile(path.join(tmp, TOKEN_FILES.train), encodeInt32Npy(dataset.train));
      await fsp.writeFile(path.join(tmp, TOKEN_FILES.valid), encodeInt32Npy(dataset.valid));
      await fsp.writeFile(path.join(tmp, TOKEN_FILES.vocab), JSON.stringify(dataset.vocab.toJSON()));
      await fsp.writeFile(path.join(tmp, TOKEN_FILES.info), JSON.stringify(info, null, 2) + '\n');
    });
    out.result(
      { dir: outDir, vocab: info.vocabSize, train_tokens: info.trainTokens, valid_tokens: info.validTokens, files: text.files },
      `wrote ${outDir}: ${fmt(info.trainTokens)} training and ${fmt(info.validTokens)} validation tokens, ` +
        `vocabulary ${fmt(info.vocabSize)}, from ${fmt(text.files)} files`,
    );
  },
};

/** Held-out files encoded exactly as `wordlens eval` encodes them: each file whole, in order, concatenated. */
async function encodeHeldOut(files: string[], vocabFile: string, kind: TokenizerKind, outDir: string, out: Output): Promise<void> {
  let vocab: Vocab;
  try {
    vocab = Vocab.fromJSON(JSON.parse(await readTextFile(vocabFile, 'vocabulary')));
  } catch (err) {
    throw new UserError(`${vocabFile}: ${(err as Error).message}`);
  }
  const tokenizer = createTokenizer(kind);
  const parts = await Promise.all(files.map(async (f) => encodeText(await readTextFile(f), tokenizer, vocab)));
  const ids = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (ids.set(p, at), at + p.length), 0);
  await writeFolderAtomic(outDir, async (tmp) => {
    await fsp.writeFile(path.join(tmp, TOKEN_FILES.ids), encodeInt32Npy(ids));
  });
  out.result({ dir: outDir, tokens: ids.length, vocab: vocab.size }, `wrote ${path.join(outDir, TOKEN_FILES.ids)}: ${fmt(ids.length)} tokens`);
}

/** The output folder is replaced whole, so it must be new, empty, or an earlier tokenize output. */
async function checkTokensFolder(dir: string): Promise<void> {
  const names: string[] = await fsp.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new UserError(`cannot write ${dir}: ${reason(err)}`);
  });
  if (names.length > 0 && !names.includes(TOKEN_FILES.info) && !names.includes(TOKEN_FILES.ids)) {
    throw new UserError(`${dir} is not empty and holds no ${TOKEN_FILES.info}; choose a new or empty folder for --out`);
  }
}
