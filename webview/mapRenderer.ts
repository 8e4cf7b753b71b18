// Picks the map's renderer from `wordlens.map.renderer` (the page's #app data-renderer):
// "webgl" → WebGL 2 when the webview has it; "canvas" → the 2-D canvas; "auto" → WebGL 2 on a
// GPU, but the canvas where WebGL would be emulated on the CPU (SwiftShader, llvmpipe): there
// our JavaScript splat draws the same points several times faster (docs/benchmarks.md).
// A page's URL can override it (?renderer=webgl|canvas, ?density=off) for benchmarks.
import { GlRenderer } from './glRenderer';
import { CanvasRenderer } from './render';
import type { MapRenderer } from './scene';

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software/i;

export function createRenderer(canvas: HTMLCanvasElement, overlay: HTMLCanvasElement): MapRenderer {
  const params = new URLSearchParams(location.search);
  const wanted = params.get('renderer') ?? document.getElementById('app')?.dataset.renderer ?? 'auto';
  let renderer: MapRenderer | undefined;
  if (wanted === 'webgl' || (wanted === 'auto' && hardwareWebGl())) {
    try {
      renderer = new GlRenderer(canvas, overlay, { density: params.get('density') !== 'off' });
    } catch {
      // No WebGL 2 (blocked, or no GPU and no software fallback): the canvas draws fewer points per frame but all features work.
    }
  }
  renderer ??= new CanvasRenderer(canvas, overlay);
  canvas.dataset.renderer = renderer.kind; // which one drew, for the status tooltip and the tests
  return renderer;
}

/** Whether WebGL 2 is available and runs on a GPU (asked on a throwaway canvas: a canvas keeps its first context type). */
function hardwareWebGl(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return !SOFTWARE_GL.test(name);
}
