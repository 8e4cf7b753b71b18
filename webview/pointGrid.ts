// A uniform grid over the 2-D map's points, built once per set of coordinates (a counting
// sort, O(n)): hover and click find the nearest point by looking at a few cells instead of
// all million points, and labels take the most frequent points of each visible cell. Within
// a cell points stay in index order, which is frequency order (the vocabulary is sorted).

export class PointGrid {
  private constructor(
    readonly coords: Float32Array,
    private readonly x0: number,
    private readonly y0: number,
    /** Map units per cell. */
    readonly cellSize: number,
    readonly cols: number,
    readonly rows: number,
    /** Cell c holds items[start[c] .. start[c + 1]). */
    private readonly start: Uint32Array,
    private readonly items: Uint32Array,
  ) {}

  /** `coords`: x, y pairs. About 8 points per cell on average, at most 1024 × 1024 cells. */
  static build(coords: Float32Array): PointGrid {
    const n = coords.length / 2;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = coords[2 * i], y = coords[2 * i + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (!(maxX >= minX)) (minX = minY = 0), (maxX = maxY = 1); // no points
    const side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n / 8))));
    const cellSize = Math.max(maxX - minX, maxY - minY, 1e-9) / side * (1 + 1e-6);
    const cols = side, rows = side;
    const cellOf = new Uint32Array(n);
    const start = new Uint32Array(cols * rows + 1);
    for (let i = 0; i < n; i++) {
      const cx = Math.min(cols - 1, Math.floor((coords[2 * i] - minX) / cellSize));
      const cy = Math.min(rows - 1, Math.floor((coords[2 * i + 1] - minY) / cellSize));
      const c = cy * cols + cx;
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
    const fill = start.slice(0, cols * rows);
    const items = new Uint32Array(n);
    for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
    return new PointGrid(coords, minX, minY, cellSize, cols, rows, start, items);
  }

  /** The cells overlapping a map-space rectangle, clamped to the grid: [col0, col1, row0, row1], inclusive. */
  cellsIn(minX: number, minY: number, maxX: number, maxY: number): [number, number, number, number] {
    const clamp = (v: number, hi: number) => Math.max(0, Math.min(hi, v));
    return [
      clamp(Math.floor((minX - this.x0) / this.cellSize), this.cols - 1),
      clamp(Math.floor((maxX - this.x0) / this.cellSize), this.cols - 1),
      clamp(Math.floor((minY - this.y0) / this.cellSize), this.rows - 1),
      clamp(Math.floor((maxY - this.y0) / this.cellSize), this.rows - 1),
    ];
  }

  /** Calls `visit` with up to `limit` eligible points of the cell, most frequent first. */
  firstInCell(col: number, row: number, limit: number, eligible: (i: number) => boolean, visit: (i: number) => void): void {
    const c = row * this.cols + col;
    let taken = 0;
    for (let k = this.start[c]; k < this.start[c + 1] && taken < limit; k++) {
      const i = this.items[k];
      if (eligible(i)) (visit(i), taken++);
    }
  }

  /** The eligible point nearest to (mx, my) within `radius` map units. */
  nearest(mx: number, my: number, radius: number, eligible: (i: number) => boolean): number | undefined {
    const [c0, c1, r0, r1] = this.cellsIn(mx - radius, my - radius, mx + radius, my + radius);
    let best: number | undefined;
    let bestD = radius * radius;
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        const c = row * this.cols + col;
        for (let k = this.start[c]; k < this.start[c + 1]; k++) {
          const i = this.items[k];
          const dx = this.coords[2 * i] - mx;
          const dy = this.coords[2 * i + 1] - my;
          const d = dx * dx + dy * dy;
          if (d < bestD && eligible(i)) (bestD = d), (best = i);
        }
      }
    }
    return best;
  }
}
