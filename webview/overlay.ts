// What is drawn over the points, on a 2-D canvas above them, by both renderers: rings for the
// selection, neighbours, analogy, hover and search matches, lines to the neighbours, and word
// labels placed greedily without overlap — the words that matter now first, then one
// frequent word per screen cell (level of detail: zooming in reveals rarer words).
import type { Scene } from './scene';

/** Device-pixel position of a drawn point, or undefined when it is hidden. */
export type PointAt = (i: number) => readonly [number, number] | undefined;

export interface OverlayFrame {
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  dpr: number;
  /** Point size in device pixels. */
  size: number;
  at: PointAt;
  /** Label candidates after the priority words, most frequent first (see LabelCells). */
  candidates: readonly number[];
}

/** Screen cells (CSS pixels) that each offer one label candidate. */
export const LABEL_CELL = 48;

/**
 * Keeps the most frequent (lowest-index) point offered in each screen cell: the labels' level
 * of detail, whatever the number of points, for a bounded number of candidates.
 */
export class LabelCells {
  private readonly cols: number;
  private readonly best: Int32Array;
  readonly cell: number;

  constructor(private readonly width: number, private readonly height: number, dpr: number) {
    this.cell = LABEL_CELL * dpr;
    this.cols = Math.ceil(width / this.cell);
    this.best = new Int32Array(this.cols * Math.ceil(height / this.cell)).fill(-1);
  }

  offer(i: number, x: number, y: number): void {
    if (!(x >= 0 && y >= 0 && x < this.width && y < this.height)) return;
    const c = Math.floor(y / this.cell) * this.cols + Math.floor(x / this.cell);
    if (this.best[c] < 0 || i < this.best[c]) this.best[c] = i;
  }

  /** The winners, most frequent first. */
  candidates(): number[] {
    const out: number[] = [];
    for (const i of this.best) if (i >= 0) out.push(i);
    return out.sort((a, b) => a - b);
  }
}

const widths = new Map<string, number>();

export function drawOverlay(frame: OverlayFrame, scene: Scene): number {
  const { ctx, at, dpr, size } = frame;
  ctx.clearRect(0, 0, frame.width, frame.height);
  const ring = (i: number, color: string, r: number, width = 1.5) => {
    const p = at(i);
    if (!p) return;
    ctx.beginPath();
    ctx.arc(p[0], p[1], r * dpr, 0, Math.PI * 2);
    ctx.strokeStyle = color;
    ctx.lineWidth = width * dpr;
    ctx.stroke();
  };
  ctx.save();
  const from = scene.selected !== undefined ? at(scene.selected) : undefined;
  if (from) {
    ctx.globalAlpha = 0.55;
    ctx.strokeStyle = scene.accent;
    ctx.lineWidth = dpr;
    for (const j of scene.neighbors) {
      const p = at(j);
      if (!p) continue;
      ctx.beginPath();
      ctx.moveTo(from[0], from[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }
  // Search matches stand out when there are few enough to see one by one.
  if (scene.matches && !scene.isolate) {
    let shown = 0;
    for (let i = 0; i < scene.matches.length && shown < 400; i++) if (scene.matches[i]) (ring(i, scene.foreground, 3 + size / dpr / 2, 1), shown++);
  }
  for (const j of scene.neighbors) ring(j, scene.accent, 5);
  for (const j of scene.analogy.operands) ring(j, scene.secondary, 5, 1.5);
  for (const j of scene.analogy.results) ring(j, scene.secondary, 6, 2.5);
  if (scene.selected !== undefined) {
    ring(scene.selected, scene.accent, 8, 2.5);
    ring(scene.selected, scene.background, 10, 1);
  }
  if (scene.hovered !== undefined) ring(scene.hovered, scene.foreground, 7, 1.5);
  const labels = placeLabels(frame, scene);
  ctx.restore();
  return labels;
}

/**
 * Labels: the words that matter now (selection, neighbours, analogy, hover) first, then the
 * candidates, each placed only where it overlaps no label already placed.
 */
function placeLabels(frame: OverlayFrame, scene: Scene): number {
  const { ctx, dpr, width: w, height: h, at } = frame;
  const fontPx = 12 * dpr;
  ctx.font = `${fontPx}px ${scene.font}`;
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  const cell = LABEL_CELL * dpr;
  const cols = Math.ceil(w / cell) + 1;
  const grid = new Map<number, number[][]>();
  const fits = (r: number[]) => {
    if (r[0] < 0 || r[1] < 0 || r[2] > w || r[3] > h) return false;
    for (let gx = Math.floor(r[0] / cell); gx <= Math.floor(r[2] / cell); gx++) {
      for (let gy = Math.floor(r[1] / cell); gy <= Math.floor(r[3] / cell); gy++) {
        for (const o of grid.get(gy * cols + gx) ?? []) if (r[0] < o[2] && r[2] > o[0] && r[1] < o[3] && r[3] > o[1]) return false;
      }
    }
    return true;
  };
  const occupy = (r: number[]) => {
    for (let gx = Math.floor(r[0] / cell); gx <= Math.floor(r[2] / cell); gx++) {
      for (let gy = Math.floor(r[1] / cell); gy <= Math.floor(r[3] / cell); gy++) {
        const key = gy * cols + gx;
        const list = grid.get(key);
        if (list) list.push(r);
        else grid.set(key, [r]);
      }
    }
  };
  const width = (word: string) => {
    let v = widths.get(word);
    if (v === undefined) {
      v = ctx.measureText(word).width / dpr;
      if (widths.size > 100_000) widths.clear(); // a million words must not all stay measured
      widths.set(word, v);
    }
    return v * dpr;
  };
  const draw = (i: number, strong: boolean, force: boolean): boolean => {
    const p = at(i);
    if (!p) return false;
    const [x, y] = p;
    if (x < 0 || y < 0 || x > w || y > h) return false;
    const word = scene.words[i].length > 40 ? scene.words[i].slice(0, 39) + '…' : scene.words[i];
    const tw = width(word);
    const rect = [x + 5 * dpr, y - fontPx * 0.6, x + 5 * dpr + tw, y + fontPx * 0.6];
    if (!fits(rect) && !force) return false;
    occupy(rect);
    ctx.font = `${strong ? '600 ' : ''}${fontPx}px ${scene.font}`;
    ctx.lineWidth = 3 * dpr;
    ctx.strokeStyle = scene.background;
    ctx.strokeText(word, rect[0], y);
    ctx.fillStyle = scene.foreground;
    ctx.fillText(word, rect[0], y);
    if (strong) ctx.font = `${fontPx}px ${scene.font}`;
    return true;
  };
  let count = 0;
  const priority = [
    ...(scene.selected !== undefined ? [scene.selected] : []),
    ...(scene.hovered !== undefined ? [scene.hovered] : []),
    ...scene.analogy.results,
    ...scene.analogy.operands,
    ...scene.neighbors,
  ];
  const seen = new Set<number>();
  priority.forEach((i, rank) => {
    if (seen.has(i)) return;
    seen.add(i);
    if (draw(i, true, rank < 2)) count++;
  });
  const budget = count + Math.max(20, Math.floor((w * h) / (dpr * dpr * 7000)));
  for (const i of frame.candidates) {
    if (count >= budget) break;
    if (seen.has(i) || (scene.matches && !scene.matches[i])) continue;
    if (draw(i, false, false)) count++;
  }
  return count;
}
