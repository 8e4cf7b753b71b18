// What both renderers share: the points' canvas and the overlay canvas above it kept at the
// element's size in device pixels, the view's coordinate conversions, the overlay's 2-D
// context, and the PNG export that flattens the two layers into one picture.
import { screenToMap, viewScale, type View } from './viewMath';

export abstract class Surface {
  readonly overlayCtx: CanvasRenderingContext2D;
  dpr = 1;

  constructor(readonly canvas: HTMLCanvasElement, readonly overlay: HTMLCanvasElement) {
    const ctx = overlay.getContext('2d');
    if (!ctx) throw new Error('this webview cannot draw on a canvas');
    this.overlayCtx = ctx;
  }

  get width(): number {
    return this.canvas.width;
  }

  get height(): number {
    return this.canvas.height;
  }

  /** Matches both backing stores to the element's size; returns true when it changed. */
  resize(): boolean {
    this.dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * this.dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * this.dpr));
    if (w === this.canvas.width && h === this.canvas.height && this.overlay.width === w && this.overlay.height === h) return false;
    this.canvas.width = this.overlay.width = w;
    this.canvas.height = this.overlay.height = h;
    return true;
  }

  scale(view: View): number {
    return viewScale(view, this.width, this.height);
  }

  toMap(view: View, sx: number, sy: number): [number, number] {
    return screenToMap(view, this.width, this.height, sx, sy);
  }

  toPng(): string {
    const flat = document.createElement('canvas');
    flat.width = this.width;
    flat.height = this.height;
    const ctx = flat.getContext('2d')!;
    ctx.drawImage(this.canvas, 0, 0);
    ctx.drawImage(this.overlay, 0, 0);
    return flat.toDataURL('image/png');
  }
}
