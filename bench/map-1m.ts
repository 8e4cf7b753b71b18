// The first picture of a million-word map: PCA of a generated clustered 1,000,000 x 300 matrix
// (covariance from a 100k-row sample, every row projected), then the frame on the wire as
// base64 float32 (coordsBase64) against the JSON numbers used below 250k words, same run:
// bytes and milliseconds to encode and to decode. Run: npx tsx bench/map-1m.ts [n] [dim]
import { initBackend } from '../src/engine/kernels/backend';
import { pca } from '../src/engine/projection/projection';
import { wireFrame, wireFrameBinary } from '../src/server/handlers/project';
import { clusteredMatrix } from './lib/clusteredVectors';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000), dim = Number(process.argv[3] ?? 300);
  console.log(`backend: ${await initBackend()}`);
  const matrix = clusteredMatrix(n, dim);
  const cpu0 = process.cpuUsage();
  let t = performance.now();
  const first = pca(matrix, n, dim, 2);
  const cpu = process.cpuUsage(cpu0);
  console.log(`PCA of ${n} x ${dim}: ${((performance.now() - t) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU; explained variance ${first.explainedVarianceRatio.map((v) => v.toFixed(3)).join(', ')}`);
  const frame = { stage: 'pca' as const, epoch: 0, epochs: 200, dims: 2, coords: first.coords, cached: false };
  t = performance.now();
  const json = JSON.stringify(wireFrame(frame));
  const jsonEncode = performance.now() - t;
  t = performance.now();
  JSON.parse(json);
  const jsonDecode = performance.now() - t;
  t = performance.now();
  const bin = JSON.stringify(wireFrameBinary(frame));
  const binEncode = performance.now() - t;
  t = performance.now();
  const parsed = JSON.parse(bin) as { coordsBase64: string };
  const bytes = Buffer.from(parsed.coordsBase64, 'base64');
  new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const binDecode = performance.now() - t;
  console.log(`frame as JSON numbers: ${(json.length / 1e6).toFixed(1)} MB, encode ${jsonEncode.toFixed(0)} ms, decode ${jsonDecode.toFixed(0)} ms`);
  console.log(`frame as base64 float32: ${(bin.length / 1e6).toFixed(1)} MB (${(json.length / bin.length).toFixed(1)}x smaller), encode ${binEncode.toFixed(0)} ms (${(jsonEncode / binEncode).toFixed(1)}x faster), decode ${binDecode.toFixed(0)} ms (${(jsonDecode / binDecode).toFixed(1)}x faster)`);
}

void main();
