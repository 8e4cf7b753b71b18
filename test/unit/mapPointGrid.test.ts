// The map's CPU indexes for a million points: the grid's nearest point agrees with a scan of
// every point, and the label pyramid's block winners are the most frequent eligible point of
// each block, so picking and labels stay right while they look at only a few cells.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { LabelPyramid } from '../../webview/labelPyramid';
import { PointGrid } from '../../webview/pointGrid';

function clustered(n: number, seed = 3): Float32Array {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const coords = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * 5);
    coords[2 * i] = (c - 2) * 0.4 + (rand() - 0.5) * 0.2 * rand();
    coords[2 * i + 1] = ((c * 7) % 5 - 2) * 0.3 + (rand() - 0.5) * 0.2;
  }
  return coords;
}

test('the grid finds the same nearest point as a scan of all points, and respects eligibility and the radius', () => {
  const coords = clustered(20_000);
  const grid = PointGrid.build(coords);
  const odd = (i: number) => i % 2 === 1;
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let found = 0;
  for (let q = 0; q < 300; q++) {
    // Near a point, mostly: a query far from everything finds nothing in both.
    const near = Math.floor(rand() * (coords.length / 2));
    const mx = coords[2 * near] + (rand() - 0.5) * 0.05, my = coords[2 * near + 1] + (rand() - 0.5) * 0.05, r = 0.002 + rand() * 0.05;
    for (const eligible of [() => true, odd]) {
      let best: number | undefined, bestD = r * r;
      for (let i = 0; i < coords.length / 2; i++) {
        const d = (coords[2 * i] - mx) ** 2 + (coords[2 * i + 1] - my) ** 2;
        if (d < bestD && eligible(i)) (bestD = d), (best = i);
      }
      const got = grid.nearest(mx, my, r, eligible);
      if (best === undefined) assert.equal(got, undefined);
      else {
        found++;
        const dGot = (coords[2 * got!] - mx) ** 2 + (coords[2 * got! + 1] - my) ** 2;
        assert.equal(dGot, bestD, `query ${q}: grid ${got}, scan ${best}`); // equal distance (ties may pick either)
      }
    }
  }
  assert.ok(found > 300, `queries that hit a point: ${found}`);
});

test('each pyramid level holds the lowest eligible index of its block of grid cells', () => {
  const coords = clustered(30_000, 5);
  const grid = PointGrid.build(coords);
  const eligible = (i: number) => i % 3 !== 0;
  const pyramid = new LabelPyramid(grid, eligible);
  assert.equal(pyramid.depth, Math.ceil(Math.log2(grid.cols)) + 1);
  // Brute force per grid cell: which cell holds each point, then block minima.
  const cellBest = new Map<number, number>();
  for (let i = 0; i < coords.length / 2; i++) {
    if (!eligible(i)) continue;
    let cell = -1;
    for (let row = 0; row < grid.rows && cell < 0; row++) {
      for (let col = 0; col < grid.cols; col++) {
        let hit = false;
        grid.firstInCell(col, row, Infinity, (j) => j === i, () => (hit = true));
        if (hit) (cell = row * grid.cols + col);
        if (hit) break;
      }
    }
    if (!cellBest.has(cell) || i < cellBest.get(cell)!) cellBest.set(cell, i);
    if (i > 3000) break; // enough points to check blocks' minima among the most frequent
  }
  for (const level of [0, 2, 4]) {
    const seen: number[] = [];
    pyramid.visit(level, 0, grid.cols - 1, 0, grid.rows - 1, (i) => seen.push(i));
    for (const [cell, i] of cellBest) {
      const col = cell % grid.cols >> level, row = Math.floor(cell / grid.cols) >> level;
      const blockWinner = [...cellBest].filter(([c]) => (c % grid.cols >> level) === col && (Math.floor(c / grid.cols) >> level) === row).map(([, j]) => j);
      if (Math.min(...blockWinner) === i) assert.ok(seen.includes(i), `level ${level}: ${i} wins its block`);
    }
    assert.ok(seen.every(eligible), 'only eligible points win');
    assert.equal(new Set(seen).size, seen.length);
  }
  let top = -1;
  pyramid.visit(pyramid.depth - 1, 0, grid.cols - 1, 0, grid.rows - 1, (i) => (top = i));
  assert.equal(top, 1, 'the whole map: the most frequent eligible word');
});
