// Finished projections kept on disk, one raw float32 file per (model, method, settings), so
// opening the map again shows the final picture at once; a new model gets a new key.
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';

export interface ProjectionKey {
  /** Identity of the model: its folder and when it was made (meta.createdAt). */
  modelPath: string;
  createdAt: string;
  n: number;
  dim: number;
  method: 'pca' | 'umap';
  dims: number;
  epochs: number;
  seed: number;
}

// Bump when the projection code changes its output, so old pictures are not reused.
const CACHE_VERSION = 1;
const KEEP = 8; // newest files kept; older ones are deleted on save

export class ProjectionCache {
  constructor(readonly dir: string) {}

  fileFor(key: ProjectionKey): string {
    const id = createHash('sha256').update(JSON.stringify({ v: CACHE_VERSION, ...key })).digest('hex').slice(0, 24);
    return path.join(this.dir, `${id}.f32`);
  }

  /** The cached coordinates, or undefined when absent or of the wrong size. */
  async get(key: ProjectionKey): Promise<Float32Array | undefined> {
    const bytes = await fsp.readFile(this.fileFor(key)).catch(() => undefined);
    if (!bytes || bytes.byteLength !== key.n * key.dims * 4) return undefined;
    const coords = new Float32Array(key.n * key.dims);
    new Uint8Array(coords.buffer).set(bytes);
    return coords.every(Number.isFinite) ? coords : undefined;
  }

  async put(key: ProjectionKey, coords: Float32Array): Promise<void> {
    if (coords.length !== key.n * key.dims) throw new Error(`projection cache: ${coords.length} values for ${key.n} × ${key.dims}`);
    await fsp.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.fileFor(key), new Uint8Array(coords.buffer, coords.byteOffset, coords.byteLength));
    await this.prune();
  }

  private async prune(): Promise<void> {
    const names = (await fsp.readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.f32'));
    if (names.length <= KEEP) return;
    const stats = await Promise.all(names.map(async (n) => ({ n, t: (await fsp.stat(path.join(this.dir, n))).mtimeMs })));
    stats.sort((a, b) => b.t - a.t);
    await Promise.all(stats.slice(KEEP).map((s) => fsp.rm(path.join(this.dir, s.n), { force: true })));
  }
}
