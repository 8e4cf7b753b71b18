// A real TypeScript codebase that is not this project, for benches: the original sources of
// @tensorflow/tfjs-layers, recovered from the inline source maps (`sourcesContent`) of its
// compiled dist/*.js. The .js files themselves end in a base64 line that is not code.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface SourceFile {
  /** Path relative to the package's src/ (as named in the source map). */
  name: string;
  text: string;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;[^,]*base64,([A-Za-z0-9+/=]+)\s*$/;

/** Files under `dir` whose names end with `ending`, recursively. */
export async function listFiles(dir: string, ending: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, ending)));
    else if (entry.name.endsWith(ending)) out.push(full);
  }
  return out;
}

/** Every original source embedded in `distDir`'s per-module .js files, sorted by name. */
export async function sourcesFromInlineMaps(distDir: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const file of await listFiles(distDir, '.js')) {
    const text = await fs.readFile(file, 'utf8');
    const m = INLINE_MAP.exec(text);
    if (!m) continue; // bundles and externs carry no inline map
    const map = JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as { sources?: string[]; sourcesContent?: (string | null)[] };
    const src = map.sources?.[0];
    const content = map.sourcesContent?.[0];
    if (!src || !content) continue;
    const name = src.replace(/^(\.\.\/)+/, '').replace(/^tfjs-layers\/src\//, '');
    files.push({ name, text: content });
  }
  if (files.length === 0) throw new Error(`No inline source maps with sources found under ${distDir}`);
  // One entry per source (a module can appear in two builds).
  const unique = new Map(files.map((f) => [f.name, f]));
  return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Writes the sources under `outDir` (the name's folders kept) and returns their paths. */
export async function writeSources(files: SourceFile[], outDir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const f of files) {
    const p = path.join(outDir, f.name);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, f.text);
    paths.push(p);
  }
  return paths;
}

/** User-typed code starts after the licence comment every file of the package opens with. */
export function bodyStart(text: string): number {
  if (!text.startsWith('/**')) return 0;
  const end = text.indexOf('*/');
  return end < 0 ? 0 : text.indexOf('\n', end) + 1;
}

/** Files joined (repeated if need be) into a document of exactly `lines` lines. */
export function documentOf(files: SourceFile[], lines: number): string {
  const out: string[] = [];
  while (out.length < lines) for (const f of files) out.push(...f.text.split('\n'));
  return out.slice(0, lines).join('\n') + '\n';
}
