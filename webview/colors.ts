// Point colours: by frequency (a perceptual ramp over log counts), by token kind, or by
// cluster (k-means on the map's own coordinates: cheap, and it names the regions the eye sees).

export type ColorMode = 'frequency' | 'kind' | 'cluster';

export interface LegendItem {
  color: string;
  label: string;
  detail?: string;
}

export interface Coloring {
  /** Packed little-endian RGBA (0xAABBGGRR), one per point. */
  packed: Uint32Array;
  /** For frequency: a gradient with its two ends; for the others: swatches. */
  legend: { kind: 'gradient'; stops: string[]; from: string; to: string } | { kind: 'swatches'; items: LegendItem[] };
}

// Viridis at 6 stops: readable on dark and light backgrounds, ordered in lightness.
const RAMP: [number, number, number][] = [
  [68, 1, 84],
  [65, 68, 135],
  [42, 120, 142],
  [34, 168, 132],
  [122, 209, 81],
  [253, 231, 37],
];

// Tableau 10: distinct at mid lightness, so swatches read on any theme.
export const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const KIND_COLORS: Record<string, string> = {
  identifier: '#4e79a7',
  keyword: '#e15759',
  word: '#59a14f',
  number: '#edc948',
  punctuation: '#b07aa1',
  string: '#f28e2b',
  whitespace: '#9c755f',
  special: '#bab0ac',
};

export function pack(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function viridis(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(RAMP[i][c] + (RAMP[i + 1][c] - RAMP[i][c]) * f)) as [number, number, number];
}

const rgbCss = ([r, g, b]: [number, number, number]) => `rgb(${r}, ${g}, ${b})`;

/**
 * Log-count ramp. On a dark background viridis's darkest purples vanish, so a dark theme
 * uses the ramp from 0.2 up; a light theme stops at 0.85, where yellow still reads on white.
 */
export function colorByFrequency(counts: readonly number[], dark = true): Coloring {
  const [t0, t1] = dark ? [0.2, 1] : [0, 0.85];
  const ramp = (t: number) => viridis(t0 + (t1 - t0) * t);
  const n = counts.length;
  const packed = new Uint32Array(n);
  let max = 1;
  let min = Infinity;
  for (const c of counts) {
    if (c > max) max = c;
    if (c > 0 && c < min) min = c;
  }
  if (!Number.isFinite(min)) min = 1;
  const lo = Math.log(min);
  const span = Math.max(1e-9, Math.log(max) - lo);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = ramp((Math.log(Math.max(counts[i], min)) - lo) / span);
    packed[i] = pack(r, g, b);
  }
  return {
    packed,
    legend: {
      kind: 'gradient',
      stops: [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => rgbCss(ramp(t))),
      from: `${Math.round(min).toLocaleString('en-US')}×`,
      to: `${Math.round(max).toLocaleString('en-US')}× (log scale)`,
    },
  };
}

export function colorByKind(kinds: readonly string[]): Coloring {
  const packed = new Uint32Array(kinds.length);
  const counts = new Map<string, number>();
  for (let i = 0; i < kinds.length; i++) {
    const [r, g, b] = hexToRgb(KIND_COLORS[kinds[i]] ?? '#bab0ac');
    packed[i] = pack(r, g, b);
    counts.set(kinds[i], (counts.get(kinds[i]) ?? 0) + 1);
  }
  const items = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => ({ color: KIND_COLORS[kind] ?? '#bab0ac', label: kind, detail: count.toLocaleString('en-US') }));
  return { packed, legend: { kind: 'swatches', items } };
}

/** Colours by cluster; each legend entry names the cluster by its most frequent words. */
export function colorByCluster(assign: Int32Array, k: number, words: readonly string[]): Coloring {
  const packed = new Uint32Array(assign.length);
  const top: string[][] = Array.from({ length: k }, () => []);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < assign.length; i++) {
    const c = assign[i];
    const [r, g, b] = hexToRgb(CATEGORICAL[c % CATEGORICAL.length]);
    packed[i] = pack(r, g, b);
    sizes[c]++;
    // Words are in descending frequency, so the first ones seen are the most frequent.
    if (top[c].length < 4 && /[\p{L}\p{N}]/u.test(words[i])) top[c].push(words[i]);
  }
  const items = top
    .map((t, c) => ({ color: CATEGORICAL[c % CATEGORICAL.length], label: t.join(' · ') || `cluster ${c + 1}`, detail: sizes[c].toLocaleString('en-US'), size: sizes[c] }))
    .filter((it) => it.size > 0)
    .sort((a, b) => b.size - a.size)
    .map(({ size: _s, ...it }) => it);
  return { packed, legend: { kind: 'swatches', items } };
}

/**
 * k-means (k-means++ seeding, seeded, a fixed number of Lloyd rounds) on row-major coords.
 * 50k points × 10 clusters × 20 rounds is ~10 M distance evaluations: tens of milliseconds.
 */
export function kmeans(coords: Float32Array, dims: number, k: number, rounds = 20, seed = 7): Int32Array {
  const n = coords.length / dims;
  const assign = new Int32Array(n);
  if (n === 0) return assign;
  k = Math.min(k, n);
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const centers = new Float32Array(k * dims);
  const dist = new Float32Array(n).fill(Infinity);
  const sq = (i: number, c: number) => {
    let d = 0;
    for (let j = 0; j < dims; j++) d += (coords[i * dims + j] - centers[c * dims + j]) ** 2;
    return d;
  };
  let pick = Math.floor(rand() * n);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < dims; j++) centers[c * dims + j] = coords[pick * dims + j];
    let total = 0;
    for (let i = 0; i < n; i++) {
      dist[i] = Math.min(dist[i], sq(i, c));
      total += dist[i];
    }
    let r = rand() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= dist[i];
      if (r <= 0) {
        pick = i;
        break;
      }
    }
  }
  const sums = new Float64Array(k * dims);
  const sizes = new Int32Array(k);
  for (let round = 0; round < rounds; round++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = sq(i, c);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (assign[i] !== best) moved++;
      assign[i] = best;
    }
    if (round > 0 && moved === 0) break;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      sizes[assign[i]]++;
      for (let j = 0; j < dims; j++) sums[assign[i] * dims + j] += coords[i * dims + j];
    }
    for (let c = 0; c < k; c++) if (sizes[c] > 0) for (let j = 0; j < dims; j++) centers[c * dims + j] = sums[c * dims + j] / sizes[c];
  }
  return assign;
}
