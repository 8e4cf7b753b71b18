// The 2-D canvas fallback renderer, for webviews without WebGL 2: writes every point's pixels
// straight into one ImageData (no per-point canvas calls: 50k points take a few milliseconds;
// a million take too long to pan smoothly, which is what glRenderer.ts is for), then the
// overlay (rings, lines, labels) on the canvas above.
import { drawOverlay, LabelCells } from './overlay';
import { shown, type DrawStats, type MapRenderer, type Scene } from './scene';
import { Surface } from './surface';
import { pointSize, projectAll, type View } from './viewMath';

export class CanvasRenderer extends Surface implements MapRenderer {
  readonly kind = 'canvas';
  readonly ctx: CanvasRenderingContext2D;
  private image: ImageData | undefined;
  /** Screen position (device pixels) of each point after the last draw; NaN when hidden. */
  private screen = new Float32Array(0);
  private order = new Uint32Array(0);
  private depth = new Float32Array(0);

  constructor(canvas: HTMLCanvasElement, overlay: HTMLCanvasElement) {
    super(canvas, overlay);
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this webview cannot draw on a canvas');
    this.ctx = ctx;
  }

  override resize(): boolean {
    const changed = super.resize();
    if (changed || !this.image) this.image = this.ctx.createImageData(this.width, this.height);
    return changed;
  }

  clear(background: string): void {
    this.resize();
    this.ctx.fillStyle = background;
    this.ctx.fillRect(0, 0, this.width, this.height);
    this.overlayCtx.clearRect(0, 0, this.width, this.height);
    this.screen = new Float32Array(0);
  }

  screenOf(i: number): readonly [number, number] | undefined {
    const x = this.screen[2 * i];
    return Number.isFinite(x) ? [x, this.screen[2 * i + 1]] : undefined;
  }

  /** Fills `screen` and the drawing order (far to near in 3D; rare to frequent in 2D). */
  private layout(scene: Scene, view: View): void {
    const n = scene.coords.length / scene.dims;
    if (this.screen.length !== 2 * n) this.screen = new Float32Array(2 * n);
    if (this.order.length !== n) this.order = new Uint32Array(n);
    if (scene.dims === 2) {
      projectAll(scene.coords, 2, view, this.width, this.height, this.screen);
      for (let i = 0; i < n; i++) this.order[i] = n - 1 - i;
      return;
    }
    if (this.depth.length !== n) this.depth = new Float32Array(n);
    const depth = this.depth;
    projectAll(scene.coords, 3, view, this.width, this.height, this.screen, depth);
    // Far to near by a counting sort on 256 depth buckets (a comparison sort is ~10x slower).
    const buckets = new Uint32Array(257);
    const key = (z: number) => Math.max(0, Math.min(255, Math.floor((1.8 - z) / 3.6 * 255)));
    for (let i = 0; i < n; i++) buckets[key(depth[i]) + 1]++;
    for (let b = 1; b < 257; b++) buckets[b] += buckets[b - 1];
    for (let i = 0; i < n; i++) this.order[buckets[key(depth[i])]++] = i;
  }

  draw(scene: Scene, view: View): DrawStats {
    const started = performance.now();
    this.resize();
    this.layout(scene, view);
    const image = this.image!;
    const w = image.width;
    const h = image.height;
    const buf = new Uint32Array(image.data.buffer);
    buf.fill(parseColor(scene.background));
    const size = pointSize(scene.words.length, view.zoom, this.dpr);
    const half = size >> 1;
    const searching = scene.matches !== undefined;
    const cells = new LabelCells(w, h, this.dpr);
    let drawn = 0;
    for (let o = 0; o < this.order.length; o++) {
      const i = this.order[o];
      if (!shown(scene, i)) {
        this.screen[2 * i] = NaN;
        continue;
      }
      const matched = !searching || scene.matches![i] === 1;
      const x0 = Math.round(this.screen[2 * i]) - half;
      const y0 = Math.round(this.screen[2 * i + 1]) - half;
      if (x0 >= w || y0 >= h || x0 + size <= 0 || y0 + size <= 0) continue;
      drawn++;
      cells.offer(i, this.screen[2 * i], this.screen[2 * i + 1]);
      const alpha = matched ? 230 : 40;
      const c = scene.colors[i];
      for (let dy = 0; dy < size; dy++) {
        const y = y0 + dy;
        if (y < 0 || y >= h) continue;
        let p = y * w + Math.max(0, x0);
        const end = y * w + Math.min(w, x0 + size);
        for (; p < end; p++) buf[p] = blend(buf[p], c, alpha);
      }
    }
    const splatted = performance.now();
    this.ctx.putImageData(image, 0, 0);
    const put = performance.now();
    const labels = drawOverlay({ ctx: this.overlayCtx, width: w, height: h, dpr: this.dpr, size, at: (i) => this.screenOf(i), candidates: cells.candidates() }, scene);
    const done = performance.now();
    return { drawn, labels, ms: done - started, splatMs: splatted - started, putMs: put - splatted, overlayMs: done - put };
  }

  pick(x: number, y: number, radius = 10): number | undefined {
    const px = x * this.dpr;
    const py = y * this.dpr;
    let best: number | undefined;
    let bestD = (radius * this.dpr) ** 2;
    for (let i = 0; i < this.screen.length / 2; i++) {
      const dx = this.screen[2 * i] - px;
      const dy = this.screen[2 * i + 1] - py;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }
}

/** Blends colour `c` over `dst` with alpha 0..255 (both packed 0xAABBGGRR). */
function blend(dst: number, c: number, a: number): number {
  const ia = 255 - a;
  const r = ((c & 255) * a + (dst & 255) * ia) >> 8;
  const g = (((c >> 8) & 255) * a + ((dst >> 8) & 255) * ia) >> 8;
  const b = (((c >> 16) & 255) * a + ((dst >> 16) & 255) * ia) >> 8;
  return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
}

/** A CSS colour (#rgb, #rrggbb, rgb()) as packed 0xAABBGGRR; unknown forms fall back to dark grey. */
export function parseColor(css: string): number {
  const s = css.trim();
  let r = 30, g = 30, b = 30;
  let m = /^#([0-9a-f]{3,8})$/i.exec(s);
  if (m) {
    const hex = m[1].length <= 4 ? [...m[1].slice(0, 3)].map((c) => c + c).join('') : m[1].slice(0, 6);
    const v = parseInt(hex, 16);
    [r, g, b] = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  } else if ((m = /^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/i.exec(s))) {
    [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
}
