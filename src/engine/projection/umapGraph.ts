// UMAP's fuzzy simplicial set (the weighted kNN graph), built on flat typed arrays.
// Same maths and edge order as umap-js 1.4 `fuzzySimplicialSet` + `initializeSimplicialSetEmbedding`,
// without its string-keyed Map sparse matrices (most of its `initializeFit` time).
import type { KnnGraph } from '../embeddings/neighbors';

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** Symmetric graph as edge lists sorted by (row, col); zero weights dropped. */
export interface FuzzyGraph { n: number; rows: Int32Array; cols: Int32Array; weights: Float64Array }

/** Builds the graph from a kNN graph whose rows start with the point itself. */
export function fuzzySimplicialSet(knn: KnnGraph, nNeighbors: number, localConnectivity = 1, setOpMixRatio = 1): FuzzyGraph {
  const n = knn.indices.length;
  const k = nNeighbors;
  const nbr = new Int32Array(n * k).fill(-1);
  const dist = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const idx = knn.indices[i], ds = knn.distances[i];
    if (idx.length < k) throw new Error(`UMAP: kNN row ${i} has ${idx.length} neighbours, ${k} needed`);
    for (let j = 0; j < k; j++) {
      nbr[i * k + j] = idx[j];
      dist[i * k + j] = ds[j];
    }
  }
  const { sigmas, rhos } = smoothKnnDistance(dist, n, k, localConnectivity);

  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const c = nbr[i * k + j];
      const d = dist[i * k + j] - rhos[i];
      w[i * k + j] = c === -1 || c === i ? 0 : d <= 0 ? 1 : Math.exp(-(d / sigmas[i]));
    }
  }
  const weightOf = (row: number, col: number): number => {
    for (let j = 0; j < k; j++) if (nbr[row * k + j] === col) return w[row * k + j];
    return -1; // absent
  };

  // Fuzzy union A + A^T - A.A^T (mixed with the intersection by setOpMixRatio): each pair
  // is emitted in both directions exactly once.
  // At most two entries a kNN entry: typed arrays of that size, not growing JS arrays (at 1M
  // points those were most of this function's time).
  const er = new Int32Array(2 * n * k), ec = new Int32Array(2 * n * k), ew = new Float64Array(2 * n * k);
  let m = 0;
  const emit = (r: number, c: number, v: number) => {
    if (v === 0) return;
    er[m] = r;
    ec[m] = c;
    ew[m++] = v;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const c = nbr[i * k + j];
      if (c < 0 || c === i) continue;
      const a = w[i * k + j];
      const back = weightOf(c, i);
      const b = back < 0 ? 0 : back;
      const prod = a * b;
      const v = setOpMixRatio * (a + b - prod) + (1 - setOpMixRatio) * prod;
      emit(i, c, v);
      if (back < 0) emit(c, i, v);
    }
  }
  return sortByRowCol(n, er.subarray(0, m), ec.subarray(0, m), ew.subarray(0, m));
}

/** umap-js's smoothKNNDistance: per-point rho (distance to the nearest neighbour) and sigma
 *  such that the memberships sum to log2(k). Column 0 (the point itself) is skipped. */
function smoothKnnDistance(dist: Float64Array, n: number, k: number, localConnectivity: number): { sigmas: Float64Array; rhos: Float64Array } {
  const target = Math.log2(k);
  const rhos = new Float64Array(n);
  const sigmas = new Float64Array(n);
  let globalMean = 0;
  for (let i = 0; i < n * k; i++) globalMean += dist[i];
  globalMean /= n * k;
  const nonZeroRow = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const row = dist.subarray(i * k, (i + 1) * k);
    let count = 0;
    for (let j = 0; j < k; j++) if (row[j] > 0) nonZeroRow[count++] = row[j];
    const nonZero = nonZeroRow.subarray(0, count);
    if (nonZero.length >= localConnectivity) {
      const index = Math.floor(localConnectivity);
      const interpolation = localConnectivity - index;
      if (index > 0) {
        rhos[i] = nonZero[index - 1];
        if (interpolation > SMOOTH_K_TOLERANCE) rhos[i] += interpolation * (nonZero[index] - nonZero[index - 1]);
      } else {
        rhos[i] = interpolation * nonZero[0];
      }
    } else if (nonZero.length > 0) {
      rhos[i] = Math.max(...nonZero);
    }
    let lo = 0, hi = Infinity, mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 1; j < k; j++) {
        const d = row[j] - rhos[i];
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    let rowMean = 0;
    for (let j = 0; j < k; j++) rowMean += row[j];
    rowMean /= k;
    const floor = MIN_K_DIST_SCALE * (rhos[i] > 0 ? rowMean : globalMean);
    sigmas[i] = Math.max(mid, floor);
  }
  return { sigmas, rhos };
}

function sortByRowCol(n: number, er: Int32Array, ec: Int32Array, ew: Float64Array): FuzzyGraph {
  const m = er.length;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[er[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const rows = new Int32Array(m), cols = new Int32Array(m), weights = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const p = fill[er[e]]++;
    rows[p] = er[e];
    cols[p] = ec[e];
    weights[p] = ew[e];
  }
  for (let i = 0; i < n; i++) {
    // Insertion sort of each (short) row by column.
    for (let p = start[i] + 1; p < start[i + 1]; p++) {
      const c = cols[p], v = weights[p];
      let q = p - 1;
      while (q >= start[i] && cols[q] > c) {
        cols[q + 1] = cols[q];
        weights[q + 1] = weights[q];
        q--;
      }
      cols[q + 1] = c;
      weights[q + 1] = v;
    }
  }
  return { n, rows, cols, weights };
}
