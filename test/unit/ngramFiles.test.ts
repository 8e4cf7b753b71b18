// The record of the files an n-gram counted (io/ngramFiles.ts): it round-trips, and a damaged
// record is refused with a reason rather than read as wrong counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNgramFiles, encodeNgramFiles } from '../../src/engine/io/ngramFiles';

const files = [
  { path: '/w/a.ts', ids: Int32Array.from([1, 2, 3]) },
  { path: '/w/é ü.md', ids: new Int32Array(0) },
  { path: '/w/b.ts', ids: Int32Array.from([4, 0, 4, 4]) },
];

test('round-trips paths (any characters), empty files and ids in stream order', () => {
  const back = decodeNgramFiles(encodeNgramFiles(files), 5);
  assert.deepEqual(back.map((f) => [f.path, Array.from(f.ids)]), files.map((f) => [f.path, Array.from(f.ids)]));
  assert.deepEqual(decodeNgramFiles(encodeNgramFiles([]), 5), []);
  // An unaligned copy of the bytes (as a file read may give) decodes the same.
  const bytes = encodeNgramFiles(files);
  const shifted = new Uint8Array(bytes.length + 1).subarray(1);
  shifted.set(bytes);
  assert.deepEqual(decodeNgramFiles(shifted, 5).map((f) => Array.from(f.ids)), files.map((f) => Array.from(f.ids)));
});

test('a damaged record is refused, saying what is wrong', () => {
  const bytes = encodeNgramFiles(files);
  assert.throws(() => decodeNgramFiles(bytes.subarray(0, 2), 5), /truncated/);
  assert.throws(() => decodeNgramFiles(bytes.subarray(0, bytes.length - 4), 5), /6 ids for 7 tokens/);
  assert.throws(() => decodeNgramFiles(bytes, 4), /token id 4 is outside the vocabulary of 4/);
  const garbled = bytes.slice();
  garbled[5] = 0x7b; // '{' inside the JSON list
  assert.throws(() => decodeNgramFiles(garbled, 5), /not JSON|not a list/);
  const huge = bytes.slice();
  new DataView(huge.buffer).setUint32(0, 1e6, true);
  assert.throws(() => decodeNgramFiles(huge, 5), /truncated \(header of 1000000 bytes/);
});
