import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodeCoords, frameCoords, MapMessageError, parseToHost, parseToWebview, type ToWebview } from '../../src/mapMessages';

test('well-formed webview messages pass through unchanged', () => {
  const messages = [
    { type: 'ready' },
    { type: 'project', dims: 3 },
    { type: 'neighbors', seq: 4, word: 'tensor', k: 12, metric: 'euclidean' },
    { type: 'analogy', seq: 5, a: 'king', b: 'man', c: 'woman', k: 10 },
    { type: 'exportPng', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
    { type: 'exportTsv' },
    { type: 'log', level: 'error', message: 'x' },
  ];
  for (const m of messages) assert.deepEqual(parseToHost(m), m);
});

test('webview messages of unexpected shape are rejected with the reason', () => {
  const cases: [unknown, RegExp][] = [
    [null, /not an object/],
    ['ready', /not an object/],
    [[{ type: 'ready' }], /not an object/],
    [{}, /unknown type undefined/],
    [{ type: 'runCommand', command: 'workbench.action.terminal.new' }, /unknown type "runCommand"/],
    [{ type: 'toString' }, /unknown type "toString"/],
    [{ type: 'neighbors', seq: 1, word: 'a', k: 0, metric: 'cosine' }, /"k"/],
    [{ type: 'neighbors', seq: 1, word: 'a', k: 5.5, metric: 'cosine' }, /"k"/],
    [{ type: 'neighbors', seq: 1, word: 'a', k: 5, metric: 'dot' }, /"metric"/],
    [{ type: 'neighbors', seq: 1, k: 5, metric: 'cosine' }, /"word" is missing/],
    [{ type: 'neighbors', seq: 1, word: 'a'.repeat(5000), k: 5, metric: 'cosine' }, /"word"/],
    [{ type: 'project', dims: 4 }, /"dims"/],
    [{ type: 'ready', extra: 1 }, /unexpected field "extra"/],
    [{ type: 'exportPng', dataUrl: 'javascript:alert(1)' }, /"dataUrl"/],
    [{ type: 'exportPng', dataUrl: 'data:text/html;base64,PGI+' }, /"dataUrl"/],
  ];
  for (const [raw, reason] of cases) {
    assert.throws(() => parseToHost(raw), (e: unknown) => e instanceof MapMessageError && reason.test(e.message), JSON.stringify(raw)?.slice(0, 80));
  }
});

test('messages for the webview are checked too, including cross-field rules', () => {
  const info = {
    type: 'info',
    modelPath: '/m',
    kind: 'lstm',
    tokenizer: 'code',
    words: ['<img src=x onerror=alert(1)>', 'b'],
    counts: [3, 1],
    kinds: ['punctuation', 'identifier'],
    facts: { vocab: 2, dim: 8, tokens: 4, backend: 'wasm', validPpl: null, createdAt: '2026-11-28T00:00:00Z' },
    curve: [{ step: 1, loss: 2.5 }, { step: 2, loss: 2.1, validPpl: 90 }],
  };
  assert.deepEqual(parseToWebview(info), info);
  assert.throws(() => parseToWebview({ ...info, counts: [3] }), /2 words but 1 counts/);
  assert.throws(() => parseToWebview({ ...info, curve: [{ step: 1, loss: 'x' }] }), /"curve"/);

  const frame = { type: 'frame', stage: 'umap', epoch: 20, epochs: 200, dims: 2, coords: [0, 1, 2, 3], cached: false };
  assert.deepEqual(parseToWebview(frame), frame);
  assert.throws(() => parseToWebview({ ...frame, coords: [0, 1, 2] }), /not a multiple of 2/);
  assert.throws(() => parseToWebview({ ...frame, coords: [0, NaN] }), /"coords"/);
  assert.throws(() => parseToWebview({ ...frame, stage: 'tsne' }), /"stage"/);
  assert.deepEqual(parseToWebview({ type: 'error', message: 'no model' }), { type: 'error', message: 'no model' });
  assert.throws(() => parseToWebview({ type: 'neighbors', seq: 1, word: 'a', known: true, metric: 'cosine', neighbors: [{ word: 'b' }] }), /"neighbors"/);
});

test('a frame carries coordinates compactly: as a Float32Array, or as base64 float32 when the transport is JSON', () => {
  const values = new Float32Array([0.5, -1, 0.25, 3e-8, 1e6, -0]);
  const frame = { type: 'frame', stage: 'pca', epoch: 0, epochs: 200, dims: 3, coords: values, cached: false } as const;
  assert.equal(frameCoords(parseToWebview(frame) as Extract<ToWebview, { type: 'frame' }>), values, 'a Float32Array is used as it is, not copied');
  assert.throws(() => parseToWebview({ ...frame, coords: new Float32Array([1, NaN, 0]) }), /"coords"/);

  const packed = { ...frame, coords: [], coordsBase64: encodeCoords(values) };
  const parsed = parseToWebview(packed) as Extract<ToWebview, { type: 'frame' }>;
  assert.deepEqual(Array.from(frameCoords(parsed)), Array.from(values), 'base64 decodes to the same float32 values, bit for bit');
  assert.equal(packed.coordsBase64.length, Math.ceil((values.length * 4) / 3) * 4, '4 bytes per coordinate, base64: ~5.3 characters per value');
  assert.throws(() => parseToWebview({ ...packed, coords: [1, 2, 3] }), /both "coords" and "coordsBase64"/);
  assert.throws(() => parseToWebview({ ...packed, dims: 2, coordsBase64: encodeCoords(new Float32Array(3)) }), /not a multiple of 2/);
  assert.throws(() => parseToWebview({ ...packed, coordsBase64: encodeCoords(new Float32Array([0, Infinity, 1])) }), /not finite/);
  assert.throws(() => parseToWebview({ ...packed, coordsBase64: 'AAA' }), /"coordsBase64"/);
  assert.throws(() => parseToWebview({ ...packed, coordsBase64: 'AAAAAAA=' }), /not whole float32s/);
});
