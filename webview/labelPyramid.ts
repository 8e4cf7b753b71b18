// Level of detail for the 2-D map's labels without visiting every grid cell: for each level,
// the most frequent eligible point of each block of 2^level × 2^level grid cells. Built once
// per set of coordinates and search (O(cells)), then a frame visits only the few thousand
// blocks on screen whatever the zoom, instead of ~125,000 grid cells at a million points.
import type { PointGrid } from './pointGrid';

export class LabelPyramid {
  /** levels[k][row * side_k + col]: the lowest eligible index in that block, or -1. */
  private readonly levels: Int32Array[] = [];
  private readonly sides: number[] = [];

  constructor(readonly grid: PointGrid, eligible: (i: number) => boolean) {
    let side = grid.cols;
    const base = new Int32Array(grid.cols * grid.rows).fill(-1);
    for (let row = 0; row < grid.rows; row++) {
      for (let col = 0; col < grid.cols; col++) grid.firstInCell(col, row, 1, eligible, (i) => (base[row * grid.cols + col] = i));
    }
    this.levels.push(base);
    this.sides.push(side);
    while (side > 1) {
      const prev = this.levels[this.levels.length - 1];
      const next = Math.ceil(side / 2);
      const level = new Int32Array(next * next).fill(-1);
      for (let row = 0; row < side; row++) {
        for (let col = 0; col < side; col++) {
          const v = prev[row * side + col];
          const k = (row >> 1) * next + (col >> 1);
          if (v >= 0 && (level[k] < 0 || v < level[k])) level[k] = v;
        }
      }
      this.levels.push(level);
      this.sides.push(next);
      side = next;
    }
  }

  get depth(): number {
    return this.levels.length;
  }

  /** Calls `visit` with the best point of every block of `level` overlapping grid cells [c0..c1] × [r0..r1]. */
  visit(level: number, c0: number, c1: number, r0: number, r1: number, visit: (i: number) => void): void {
    const side = this.sides[level];
    const values = this.levels[level];
    for (let row = r0 >> level; row <= r1 >> level; row++) {
      for (let col = c0 >> level; col <= c1 >> level; col++) {
        const v = values[row * side + col];
        if (v >= 0) visit(v);
      }
    }
  }
}
