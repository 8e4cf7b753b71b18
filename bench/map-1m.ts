// The first picture of a million-word map: PCA of a generated clustered 1,000,000 x 300 matrix
// (covariance from a PCA_SAMPLE_ROWS sample, every row projected; the 100k-row sample it used
// before as the baseline, same run, with the variance of all rows each one's axes capture), then the frame on the wire as
// base64 float32 (coordsBase64) against the JSON numbers used below 250k words, same run:
// bytes and milliseconds to encode and to decode. Run: npx tsx bench/map-1m.ts [n] [dim]
import { initBackend } from '../src/engine/kernels/backend';
import { pca, PCA_SAMPLE_ROWS } from '../src/engine/projection/projection';
import { wireFrame, wireFrameBinary } from '../src/server/handlers/project';
import { clusteredMatrix } from './lib/clusteredVectors';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000), dim = Number(process.argv[3] ?? 300);
  console.log(`backend: ${await initBackend()}`);
  const matrix = clusteredMatrix(n, dim);
  /** Variance of all n rows along the two axes (the coordinates' variance, summed). */
  const captured = (coords: Float32Array) => {
    let total = 0;
    for (let c = 0; c < 2; c++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) { s += coords[i * 2 + c]; s2 += coords[i * 2 + c] ** 2; }
      total += s2 / n - (s / n) ** 2;
    }
    return total;
  };
  const run = (sampleRows: number) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = pca(matrix, n, dim, 2, sampleRows);
    const c = process.cpuUsage(cpu0);
    return { result, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  };
  const base = run(100_000);
  const now = run(PCA_SAMPLE_ROWS);
  const first = now.result;
  for (const [label, r] of [['baseline, 100,000-row sample', base], [`${PCA_SAMPLE_ROWS}-row sample`, now]] as const) {
    console.log(`PCA of ${n} x ${dim}, ${label}: ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU; variance of all rows on its axes ${captured(r.result.coords).toFixed(4)}`);
  }
  console.log(`-> ${(base.cpu / now.cpu).toFixed(1)}x less CPU; captured variance ratio ${(captured(now.result.coords) / captured(base.result.coords)).toFixed(4)}`);
  let t = performance.now();
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
