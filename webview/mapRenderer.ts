// Picks the map's renderer: WebGL 2 where the webview has it, else the 2-D canvas. A page can
// ask for the canvas with ?renderer=canvas (benchmarks compare the two on the same data).
import { GlRenderer } from './glRenderer';
import { CanvasRenderer } from './render';
import type { MapRenderer } from './scene';

export function createRenderer(canvas: HTMLCanvasElement, overlay: HTMLCanvasElement): MapRenderer {
  if (new URLSearchParams(location.search).get('renderer') !== 'canvas') {
    try {
      return new GlRenderer(canvas, overlay);
    } catch {
      // No WebGL 2 (blocked, or no GPU and no software fallback): the canvas draws fewer points per frame but all features work.
    }
  }
  return new CanvasRenderer(canvas, overlay);
}
