// The training files an n-gram counted, kept beside it in the model folder (ngram-files.bin)
// so that a model loaded later (a new session) can still replace an edited file's old
// contribution instead of adding the new text on top of it. Layout, little-endian:
// u32 header length, the header (JSON: [[path, tokens], ...]) padded to 4 bytes, then
// every file's token ids as int32, in stream order.

export interface CountedFile {
  path: string;
  ids: Int32Array;
}

export function encodeNgramFiles(files: readonly CountedFile[]): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(files.map((f) => [f.path, f.ids.length])));
  const idsAt = 4 + Math.ceil(header.length / 4) * 4;
  const total = files.reduce((n, f) => n + f.ids.length, 0);
  const out = new Uint8Array(idsAt + 4 * total);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  const ids = new Int32Array(out.buffer, idsAt, total);
  let at = 0;
  for (const f of files) {
    ids.set(f.ids, at);
    at += f.ids.length;
  }
  return out;
}

/** The files of `bytes`; throws an Error saying what is wrong (truncated, bad header, id ≥ vocabSize). */
export function decodeNgramFiles(bytes: Uint8Array, vocabSize: number): CountedFile[] {
  if (bytes.length < 4) throw new Error('truncated (no header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const idsAt = 4 + Math.ceil(headerLength / 4) * 4;
  if (idsAt > bytes.length) throw new Error(`truncated (header of ${headerLength} bytes in a file of ${bytes.length})`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)));
  } catch {
    throw new Error('the header is not JSON');
  }
  const valid = Array.isArray(header) && header.every((e) => Array.isArray(e) && typeof e[0] === 'string' && Number.isInteger(e[1]) && e[1] >= 0);
  if (!valid) throw new Error('the header is not a list of [path, tokens]');
  const entries = header as [string, number][];
  const total = entries.reduce((n, [, t]) => n + t, 0);
  if (bytes.length - idsAt !== 4 * total) throw new Error(`${(bytes.length - idsAt) / 4} ids for ${total} tokens listed`);
  // Copied out: the ids must be 4-byte aligned and outlive the file's buffer.
  const ids = new Int32Array(total);
  new Uint8Array(ids.buffer).set(bytes.subarray(idsAt));
  for (let i = 0; i < total; i++) {
    if (ids[i] < 0 || ids[i] >= vocabSize) throw new Error(`token id ${ids[i]} is outside the vocabulary of ${vocabSize}`);
  }
  const files: CountedFile[] = [];
  let at = 0;
  for (const [path, tokens] of entries) {
    files.push({ path, ids: ids.subarray(at, at + tokens) });
    at += tokens;
  }
  return files;
}
