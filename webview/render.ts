// Draws every point of the map on a 2D canvas by writing pixels straight into one ImageData
// (no per-point canvas calls: 50k points take a few milliseconds), then the few things that
// need vector drawing on top: rings, neighbour lines and labels placed greedily without overlap.

export interface View {
  /** Centre of the view in map units (the projection is scaled into [-1, 1]). */
  cx: number;
  cy: number;
  zoom: number;
  /** 3D rotation (radians). */
  yaw: number;
  pitch: number;
}

export const HOME_VIEW: View = { cx: 0, cy: 0, zoom: 1, yaw: 0.6, pitch: 0.35 };

export interface Scene {
  coords: Float32Array;
  dims: 2 | 3;
  words: readonly string[];
  colors: Uint32Array;
  /** Search matches (1) when a search is active. */
  matches?: Uint8Array;
  /** Hide non-matches instead of dimming them. */
  isolate: boolean;
  selected?: number;
  neighbors: number[];
  /** Analogy operands (a, b, c) and results. */
  analogy: { operands: number[]; results: number[] };
  hovered?: number;
  background: string;
  foreground: string;
  accent: string;
  secondary: string;
  font: string;
}

export interface DrawStats {
  drawn: number;
  labels: number;
  ms: number;
  /** Where the time went: pixels written, image uploaded, rings and labels. */
  splatMs: number;
  putMs: number;
  overlayMs: number;
}

export class Renderer {
  readonly ctx: CanvasRenderingContext2D;
  private image: ImageData | undefined;
  /** Screen position (device pixels) of each point after the last draw; NaN when hidden. */
  screen = new Float32Array(0);
  private order = new Uint32Array(0);
  private readonly widths = new Map<string, number>();
  dpr = 1;

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this webview cannot draw on a canvas');
    this.ctx = ctx;
  }

  /** Matches the backing store to the element's size; returns true when it changed. */
  resize(): boolean {
    this.dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * this.dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * this.dpr));
    if (w === this.canvas.width && h === this.canvas.height && this.image) return false;
    this.canvas.width = w;
    this.canvas.height = h;
    this.image = this.ctx.createImageData(w, h);
    return true;
  }

  scale(view: View): number {
    return (view.zoom * Math.min(this.canvas.width, this.canvas.height) * 0.46);
  }

  /** Map units → device pixels (2D, or after rotation in 3D). */
  toScreen(view: View, x: number, y: number): [number, number] {
    const s = this.scale(view);
    return [this.canvas.width / 2 + (x - view.cx) * s, this.canvas.height / 2 - (y - view.cy) * s];
  }

  /** Device pixels → map units. */
  toMap(view: View, sx: number, sy: number): [number, number] {
    const s = this.scale(view);
    return [(sx - this.canvas.width / 2) / s + view.cx, -(sy - this.canvas.height / 2) / s + view.cy];
  }

  /** Fills `screen` and the drawing order (far to near in 3D; rare to frequent in 2D). */
  private layout(scene: Scene, view: View): void {
    const n = scene.coords.length / scene.dims;
    if (this.screen.length !== 2 * n) this.screen = new Float32Array(2 * n);
    if (this.order.length !== n) this.order = new Uint32Array(n);
    const { coords, dims } = scene;
    const s = this.scale(view);
    const w2 = this.canvas.width / 2;
    const h2 = this.canvas.height / 2;
    if (dims === 2) {
      for (let i = 0; i < n; i++) {
        this.screen[2 * i] = w2 + (coords[2 * i] - view.cx) * s;
        this.screen[2 * i + 1] = h2 - (coords[2 * i + 1] - view.cy) * s;
        this.order[i] = n - 1 - i;
      }
      return;
    }
    const [cy, sy, cp, sp] = [Math.cos(view.yaw), Math.sin(view.yaw), Math.cos(view.pitch), Math.sin(view.pitch)];
    const depth = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = coords[3 * i];
      const y = coords[3 * i + 1];
      const z = coords[3 * i + 2];
      const x1 = x * cy + z * sy;
      const z1 = -x * sy + z * cy;
      const y2 = y * cp - z1 * sp;
      const z2 = y * sp + z1 * cp;
      const f = 3 / (3 + z2); // mild perspective: near points spread, far ones gather
      this.screen[2 * i] = w2 + (x1 * f - view.cx) * s;
      this.screen[2 * i + 1] = h2 - (y2 * f - view.cy) * s;
      depth[i] = z2;
    }
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
    const bg = parseColor(scene.background);
    buf.fill(bg);
    // Few points: bigger dots; many: small ones that still resolve clusters. Zooming in grows them.
    const n = scene.words.length;
    const base = n < 1000 ? 4.5 : n < 10_000 ? 3 : 1.6;
    const size = Math.max(2, Math.min(8, Math.round(this.dpr * (base + Math.log2(Math.max(1, view.zoom)) * 0.7))));
    const half = size >> 1;
    const searching = scene.matches !== undefined;
    let drawn = 0;
    for (let o = 0; o < this.order.length; o++) {
      const i = this.order[o];
      const matched = !searching || scene.matches![i] === 1;
      if (!matched && scene.isolate) {
        this.screen[2 * i] = NaN;
        continue;
      }
      const x0 = Math.round(this.screen[2 * i]) - half;
      const y0 = Math.round(this.screen[2 * i + 1]) - half;
      if (x0 >= w || y0 >= h || x0 + size <= 0 || y0 + size <= 0) continue;
      drawn++;
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
    const labels = this.overlay(scene, view, size);
    const done = performance.now();
    return { drawn, labels, ms: done - started, splatMs: splatted - started, putMs: put - splatted, overlayMs: done - put };
  }

  /** Nearest drawn point within `radius` CSS pixels of a CSS-pixel position. */
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

  private overlay(scene: Scene, view: View, size: number): number {
    const ctx = this.ctx;
    const at = (i: number) => [this.screen[2 * i], this.screen[2 * i + 1]] as const;
    const visible = (i: number) => Number.isFinite(this.screen[2 * i]);
    const ring = (i: number, color: string, r: number, width = 1.5) => {
      if (!visible(i)) return;
      const [x, y] = at(i);
      ctx.beginPath();
      ctx.arc(x, y, r * this.dpr, 0, Math.PI * 2);
      ctx.strokeStyle = color;
      ctx.lineWidth = width * this.dpr;
      ctx.stroke();
    };
    ctx.save();
    if (scene.selected !== undefined && visible(scene.selected)) {
      const [sx, sy] = at(scene.selected);
      ctx.globalAlpha = 0.55;
      ctx.strokeStyle = scene.accent;
      ctx.lineWidth = this.dpr;
      for (const j of scene.neighbors) {
        if (!visible(j)) continue;
        const [x, y] = at(j);
        ctx.beginPath();
        ctx.moveTo(sx, sy);
        ctx.lineTo(x, y);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
    // Search matches stand out when there are few enough to see one by one.
    if (scene.matches && !scene.isolate) {
      let shown = 0;
      for (let i = 0; i < scene.matches.length && shown < 400; i++) if (scene.matches[i]) (ring(i, scene.foreground, 3 + size / this.dpr / 2, 1), shown++);
    }
    for (const j of scene.neighbors) ring(j, scene.accent, 5);
    for (const j of scene.analogy.operands) ring(j, scene.secondary, 5, 1.5);
    for (const j of scene.analogy.results) ring(j, scene.secondary, 6, 2.5);
    if (scene.selected !== undefined) {
      ring(scene.selected, scene.accent, 8, 2.5);
      ring(scene.selected, scene.background, 10, 1);
    }
    if (scene.hovered !== undefined) ring(scene.hovered, scene.foreground, 7, 1.5);
    const labels = this.placeLabels(scene);
    ctx.restore();
    return labels;
  }

  /**
   * Labels: the words that matter now (selection, neighbours, analogy, hover) first, then the
   * most frequent visible words, each placed only where it overlaps no label already placed.
   */
  private placeLabels(scene: Scene): number {
    const ctx = this.ctx;
    const dpr = this.dpr;
    const w = this.canvas.width;
    const h = this.canvas.height;
    const fontPx = 12 * dpr;
    ctx.font = `${fontPx}px ${scene.font}`;
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    const cell = 48 * dpr;
    const cols = Math.ceil(w / cell) + 1;
    const grid = new Map<number, number[][]>();
    const placed: number[][] = [];
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
      placed.push(r);
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
      let v = this.widths.get(word);
      if (v === undefined) {
        v = ctx.measureText(word).width / dpr;
        this.widths.set(word, v);
      }
      return v * dpr;
    };
    const draw = (i: number, strong: boolean, force: boolean): boolean => {
      const x = this.screen[2 * i];
      const y = this.screen[2 * i + 1];
      if (!Number.isFinite(x) || x < 0 || y < 0 || x > w || y > h) return false;
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
    const n = scene.words.length;
    let tried = 0;
    for (let i = 0; i < n && count < budget && tried < 8000; i++) {
      if (seen.has(i) || (scene.matches && !scene.matches[i])) continue;
      const x = this.screen[2 * i];
      const y = this.screen[2 * i + 1];
      if (!Number.isFinite(x) || x < 0 || y < 0 || x > w || y > h) continue;
      tried++;
      if (draw(i, false, false)) count++;
    }
    return count;
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
