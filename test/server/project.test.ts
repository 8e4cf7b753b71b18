// The map's requests over stdio: wordlens/mapInfo, and wordlens/projection streaming its
// frames as wordlens/projectionProgress (PCA first, then UMAP by epoch), cached in the storage
// folder so the second request is answered from the cache; coordinates as base64 float32 on
// request; malformed params are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { MapInfoRequest, ProjectionProgressNotification, ProjectionRequest, type ProjectionFrame, type ProjectionStreamParams } from '../../src/protocol';
import { writeFixtureModel } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

describe('server: the embedding map', () => {
  let tmp: string;
  let server: TestServer;
  let vocabSize = 0;
  const frames: ProjectionFrame[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-server-map-'));
    const modelDir = path.join(tmp, 'model');
    vocabSize = (await writeFixtureModel(modelDir)).vocab.size;
    server = await startTestServer({ modelPath: modelDir, storagePath: path.join(tmp, 'storage') });
    server.connection.onNotification(ProjectionProgressNotification, (f) => void frames.push(f));
    await server.waitForStatus((s) => s.state === 'ready');
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('mapInfo: readable labels, counts and kinds for every vocabulary entry, and the facts', async () => {
    const info = await server.connection.sendRequest(MapInfoRequest);
    assert.equal(info.words.length, vocabSize);
    assert.equal(info.counts.length, vocabSize);
    assert.equal(info.kinds.length, vocabSize);
    assert.ok(info.words.includes('total'), 'the leading-space marker is dropped from labels');
    assert.equal(info.kinds[info.words.indexOf('function')], 'keyword');
    assert.equal(info.facts.dim, 8);
    assert.equal(info.facts.validPpl, 3.5);
    assert.equal(info.tokenizer, 'code');
  });

  it('projection: PCA frame first, UMAP frames in order, final result; the second request comes from the cache', async () => {
    const params: ProjectionStreamParams = { method: 'umap', dims: 2, token: 't1', epochs: 40 };
    const result = await server.connection.sendRequest(ProjectionRequest, params);
    const mine = frames.filter((f) => f.token === 't1');
    assert.equal(mine[0].stage, 'pca');
    assert.ok(mine.slice(1).every((f) => f.stage === 'umap'));
    const epochs = mine.slice(1).map((f) => f.epoch);
    assert.deepEqual(epochs, [...epochs].sort((a, b) => a - b));
    assert.equal(epochs.at(-1), 40);
    assert.equal(result.coords.length, vocabSize * 2);
    assert.ok(result.coords.every((v) => v >= -1 && v <= 1), 'coordinates are scaled into [-1, 1]');
    assert.equal(fs.readdirSync(path.join(tmp, 'storage', 'projections')).filter((f) => f.endsWith('.f32')).length, 1);

    const second: ProjectionStreamParams = { ...params, token: 't2' };
    const again = await server.connection.sendRequest(ProjectionRequest, second);
    const cached = frames.filter((f) => f.token === 't2');
    assert.equal(cached.length, 1);
    assert.equal(cached[0].cached, true);
    assert.deepEqual(again.coords, result.coords);
  });

  it('binary: the same picture as base64 float32 (coords empty), frames and result alike', async () => {
    const asJson: ProjectionStreamParams = { method: 'umap', dims: 2, token: 'j', epochs: 40 };
    const json = await server.connection.sendRequest(ProjectionRequest, asJson);
    const params: ProjectionStreamParams = { method: 'umap', dims: 2, token: 'b', epochs: 40, binary: true };
    const result = await server.connection.sendRequest(ProjectionRequest, params);
    const decode = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    };
    assert.deepEqual(result.coords, []);
    const values = decode(result.coordsBase64!);
    assert.equal(values.length, vocabSize * 2);
    values.forEach((v, i) => assert.ok(Math.abs(v - json.coords[i]) <= 5e-5, `value ${i}: ${v} vs ${json.coords[i]}`));
    const mine = frames.filter((f) => f.token === 'b');
    assert.ok(mine.length >= 1 && mine.every((f) => f.coords.length === 0 && decode(f.coordsBase64!).length === vocabSize * 2));
    assert.equal(frames.filter((f) => f.token === 'j').some((f) => f.coordsBase64 !== undefined), false, 'JSON unless asked (small maps)');
  });

  it('malformed params are refused with InvalidParams naming the field', async () => {
    for (const [params, field] of [
      [{ method: 'tsne' }, 'method'],
      [{ method: 'umap', dims: 4 }, 'dims'],
      [{ method: 'umap', token: 7 }, 'token'],
      [{ method: 'umap', binary: 'yes' }, 'binary'],
      [{}, 'method'],
    ] as const) {
      await assert.rejects(
        server.connection.sendRequest(ProjectionRequest, params as never),
        (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.InvalidParams && e.message.includes(field),
      );
    }
  });
});
