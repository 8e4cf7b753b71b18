// The map's WebGL 2 renderer: a million points as gl.POINTS from buffers uploaded once per
// projection frame (coordinates), colouring (colours) or search (flags); pan, zoom and 3-D
// rotation are uniforms only. Density shading through a half-float framebuffer (glShaders.ts),
// labels and rings on the 2-D overlay (overlay.ts), picking on the CPU through a grid over the
// map (2-D) or the projected positions (3-D).
import { POINT_FRAGMENT, POINT_VERTEX, RESOLVE_FRAGMENT, RESOLVE_VERTEX } from './glShaders';
import { drawOverlay, LabelCells, LABEL_CELL } from './overlay';
import { LabelPyramid } from './labelPyramid';
import { PointGrid } from './pointGrid';
import { parseColor } from './render';
import { shown, type DrawStats, type MapRenderer, type Scene } from './scene';
import { Surface } from './surface';
import { pointSize, projectAll, rotate3d, rotation, viewScale, type View } from './viewMath';

/** How much a point that does not match the search counts, against 1 for a match. */
const DIMMED = 0.08;
/** In 3-D, labels come from this many most frequent words (no grid: the view rotates). */
const LABELS_3D_FROM = 50_000;

export class GlRenderer extends Surface implements MapRenderer {
  readonly kind = 'webgl2';
  private readonly points: WebGLProgram;
  private readonly resolve: WebGLProgram;
  private readonly vao: WebGLVertexArrayObject;
  private readonly posBuffer: WebGLBuffer;
  private readonly colorBuffer: WebGLBuffer;
  private readonly flagBuffer: WebGLBuffer;
  /** Half-float accumulation target; undefined when the extension is missing (then plain blending). */
  private acc: { fb: WebGLFramebuffer; tex: WebGLTexture; w: number; h: number } | undefined;
  private floatTargets: boolean;
  private uploaded = { coords: undefined as Float32Array | undefined, dims: 2, colors: undefined as Uint32Array | undefined, matches: undefined as Uint8Array | undefined, isolate: false, shown: 0 };
  private last: { scene: Scene; view: View } | undefined;
  private grid: PointGrid | undefined;
  /** 3-D only: every point's screen position for the last frame, computed when first needed. */
  private screen3d: Float32Array | undefined;
  private readonly uniforms: Record<string, WebGLUniformLocation | null> = {};

  /** Throws when WebGL 2 is unavailable (the caller falls back to the canvas). */
  constructor(canvas: HTMLCanvasElement, overlay: HTMLCanvasElement, options = { density: true }) {
    super(canvas, overlay);
    // preserveDrawingBuffer: the PNG export and tests read the picture after it is shown.
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true, premultipliedAlpha: false });
    if (!gl) throw new Error('WebGL 2 is not available');
    this.gl = gl;
    this.points = program(gl, POINT_VERTEX, POINT_FRAGMENT);
    this.resolve = program(gl, RESOLVE_VERTEX, RESOLVE_FRAGMENT);
    for (const name of ['u_centre', 'u_scale', 'u_half', 'u_dims', 'u_rot', 'u_size', 'u_dim', 'u_round', 'u_direct']) this.uniforms[name] = gl.getUniformLocation(this.points, name);
    this.floatTargets = options.density && (gl.getExtension('EXT_color_buffer_half_float') !== null || gl.getExtension('EXT_color_buffer_float') !== null);
    this.vao = gl.createVertexArray()!;
    this.posBuffer = gl.createBuffer()!;
    this.colorBuffer = gl.createBuffer()!;
    this.flagBuffer = gl.createBuffer()!;
  }

  private readonly gl: WebGL2RenderingContext;

  clear(background: string): void {
    this.resize();
    const [r, g, b] = rgb(background);
    this.gl.bindFramebuffer(this.gl.FRAMEBUFFER, null);
    this.gl.viewport(0, 0, this.width, this.height);
    this.gl.clearColor(r, g, b, 1);
    this.gl.clear(this.gl.COLOR_BUFFER_BIT);
    this.overlayCtx.clearRect(0, 0, this.width, this.height);
    this.last = undefined;
  }

  draw(scene: Scene, view: View): DrawStats {
    const started = performance.now();
    this.resize();
    this.upload(scene);
    const gl = this.gl;
    const w = this.width;
    const h = this.height;
    const n = scene.coords.length / scene.dims;
    const size = pointSize(scene.words.length, view.zoom, this.dpr);
    const bg = rgb(scene.background);
    const target = this.floatTargets ? this.target(w, h) : undefined;
    if (this.floatTargets && !target) this.floatTargets = false; // the driver refused the half-float target

    gl.useProgram(this.points);
    const u = this.uniforms;
    const r = rotation(view);
    gl.uniform2f(u.u_centre, view.cx, view.cy);
    gl.uniform1f(u.u_scale, viewScale(view, w, h));
    gl.uniform2f(u.u_half, w / 2, h / 2);
    gl.uniform1i(u.u_dims, scene.dims);
    gl.uniform4f(u.u_rot, r.cy, r.sy, r.cp, r.sp);
    gl.uniform1f(u.u_size, size);
    gl.uniform1f(u.u_dim, DIMMED);
    gl.uniform1i(u.u_round, size >= 4 ? 1 : 0);
    gl.uniform1i(u.u_direct, target ? 0 : 1);
    gl.bindFramebuffer(gl.FRAMEBUFFER, target?.fb ?? null);
    gl.viewport(0, 0, w, h);
    if (target) gl.clearColor(0, 0, 0, 0);
    else gl.clearColor(bg[0], bg[1], bg[2], 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    if (target) gl.blendFunc(gl.ONE, gl.ONE);
    else gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.POINTS, 0, n);
    gl.bindVertexArray(null);
    gl.disable(gl.BLEND);
    if (target) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.useProgram(this.resolve);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, target.tex);
      gl.uniform1i(gl.getUniformLocation(this.resolve, 'u_acc'), 0);
      gl.uniform3f(gl.getUniformLocation(this.resolve, 'u_bg'), bg[0], bg[1], bg[2]);
      const fg = rgb(scene.foreground);
      gl.uniform3f(gl.getUniformLocation(this.resolve, 'u_fg'), fg[0], fg[1], fg[2]);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
    }
    const issued = performance.now();
    this.last = { scene, view };
    this.screen3d = undefined;
    const labels = drawOverlay({ ctx: this.overlayCtx, width: w, height: h, dpr: this.dpr, size, at: (i) => this.screenOf(i), candidates: this.labelCandidates(scene, view) }, scene);
    const done = performance.now();
    return { drawn: this.uploaded.shown, labels, ms: done - started, splatMs: issued - started, putMs: 0, overlayMs: done - issued };
  }

  screenOf(i: number): readonly [number, number] | undefined {
    if (!this.last) return undefined;
    const { scene, view } = this.last;
    if (i < 0 || i >= scene.coords.length / scene.dims || !shown(scene, i)) return undefined;
    if (scene.dims === 3) {
      const s = this.projected3d();
      return [s[2 * i], s[2 * i + 1]];
    }
    const s = viewScale(view, this.width, this.height);
    return [this.width / 2 + (scene.coords[2 * i] - view.cx) * s, this.height / 2 - (scene.coords[2 * i + 1] - view.cy) * s];
  }

  pick(x: number, y: number, radius = 10): number | undefined {
    if (!this.last) return undefined;
    const { scene, view } = this.last;
    const px = x * this.dpr;
    const py = y * this.dpr;
    if (scene.dims === 2) {
      const [mx, my] = this.toMap(view, px, py);
      return this.gridFor(scene.coords).nearest(mx, my, (radius * this.dpr) / this.scale(view), (i) => shown(scene, i));
    }
    const s = this.projected3d();
    let best: number | undefined;
    let bestD = (radius * this.dpr) ** 2;
    for (let i = 0; i < s.length / 2; i++) {
      const dx = s[2 * i] - px;
      const dy = s[2 * i + 1] - py;
      const d = dx * dx + dy * dy;
      if (d < bestD && shown(scene, i)) (bestD = d), (best = i);
    }
    return best;
  }

  /** Level of detail: the most frequent shown point in each screen cell, from the grid's visible cells (2-D). */
  private labelCandidates(scene: Scene, view: View): number[] {
    const cells = new LabelCells(this.width, this.height, this.dpr);
    const eligible = (i: number) => shown(scene, i) && (!scene.matches || scene.matches[i] === 1);
    if (scene.dims === 3) {
      const r = rotation(view);
      const s = viewScale(view, this.width, this.height);
      const p = [0, 0, 0];
      const n = Math.min(scene.coords.length / 3, LABELS_3D_FROM);
      for (let i = 0; i < n; i++) {
        if (!eligible(i)) continue;
        rotate3d(r, scene.coords[3 * i], scene.coords[3 * i + 1], scene.coords[3 * i + 2], p);
        cells.offer(i, this.width / 2 + (p[0] - view.cx) * s, this.height / 2 - (p[1] - view.cy) * s);
      }
      return cells.candidates();
    }
    const grid = this.gridFor(scene.coords);
    const [x0, y1] = this.toMap(view, 0, 0);
    const [x1, y0] = this.toMap(view, this.width, this.height);
    const [c0, c1, r0, r1] = grid.cellsIn(x0, y0, x1, y1);
    const s = viewScale(view, this.width, this.height);
    const offer = (i: number) => cells.offer(i, this.width / 2 + (scene.coords[2 * i] - view.cx) * s, this.height / 2 - (scene.coords[2 * i + 1] - view.cy) * s);
    const cellPx = grid.cellSize * s;
    const labelPx = LABEL_CELL * this.dpr;
    if (cellPx * 2 < labelPx) {
      // Zoomed out: blocks of grid cells about half a label cell wide, from the pyramid.
      const pyramid = this.pyramidFor(grid, scene, eligible);
      const level = Math.min(pyramid.depth - 1, Math.ceil(Math.log2(labelPx / 2 / cellPx)));
      pyramid.visit(level, c0, c1, r0, r1, offer);
    } else {
      // Zoomed in: few grid cells on screen, each bigger than half a label cell, offering several points.
      const limit = Math.min(64, Math.ceil((cellPx / labelPx) ** 2) * 2);
      for (let row = r0; row <= r1; row++) for (let col = c0; col <= c1; col++) grid.firstInCell(col, row, limit, eligible, offer);
    }
    return cells.candidates();
  }

  private pyramidFor(grid: PointGrid, scene: Scene, eligible: (i: number) => boolean): LabelPyramid {
    const p = this.pyramid;
    if (p?.pyramid.grid !== grid || p.matches !== scene.matches || p.isolate !== scene.isolate) {
      this.pyramid = { pyramid: new LabelPyramid(grid, eligible), matches: scene.matches, isolate: scene.isolate };
    }
    return this.pyramid!.pyramid;
  }

  private pyramid: { pyramid: LabelPyramid; matches: Uint8Array | undefined; isolate: boolean } | undefined;

  private gridFor(coords: Float32Array): PointGrid {
    if (this.grid?.coords !== coords) this.grid = PointGrid.build(coords);
    return this.grid;
  }

  private projected3d(): Float32Array {
    const { scene, view } = this.last!;
    if (!this.screen3d) {
      this.screen3d = new Float32Array((2 * scene.coords.length) / 3);
      projectAll(scene.coords, 3, view, this.width, this.height, this.screen3d);
    }
    return this.screen3d;
  }

  /** Uploads what changed since the last frame: coordinates, colours, search flags. */
  private upload(scene: Scene): void {
    const gl = this.gl;
    const up = this.uploaded;
    const n = scene.coords.length / scene.dims;
    gl.bindVertexArray(this.vao);
    if (up.coords !== scene.coords || up.dims !== scene.dims) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuffer);
      gl.bufferData(gl.ARRAY_BUFFER, scene.coords, gl.STATIC_DRAW);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, scene.dims, gl.FLOAT, false, 0, 0);
      up.coords = scene.coords;
      up.dims = scene.dims;
    }
    if (up.colors !== scene.colors) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuffer);
      gl.bufferData(gl.ARRAY_BUFFER, new Uint8Array(scene.colors.buffer, scene.colors.byteOffset, scene.colors.length * 4), gl.STATIC_DRAW);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 4, gl.UNSIGNED_BYTE, true, 0, 0);
      up.colors = scene.colors;
    }
    if (up.matches !== scene.matches || up.isolate !== scene.isolate || up.shown === 0 || n !== this.flagCount) {
      const flags = new Uint8Array(n);
      let count = 0;
      for (let i = 0; i < n; i++) {
        const m = !scene.matches || scene.matches[i] === 1;
        flags[i] = m ? 2 : scene.isolate ? 0 : 1;
        if (flags[i]) count++;
      }
      gl.bindBuffer(gl.ARRAY_BUFFER, this.flagBuffer);
      gl.bufferData(gl.ARRAY_BUFFER, flags, gl.DYNAMIC_DRAW);
      gl.enableVertexAttribArray(2);
      gl.vertexAttribPointer(2, 1, gl.UNSIGNED_BYTE, false, 0, 0);
      up.matches = scene.matches;
      up.isolate = scene.isolate;
      up.shown = count;
      this.flagCount = n;
    }
    gl.bindVertexArray(null);
  }

  private flagCount = -1;

  private target(w: number, h: number): { fb: WebGLFramebuffer; tex: WebGLTexture; w: number; h: number } | undefined {
    if (this.acc && this.acc.w === w && this.acc.h === h) return this.acc;
    const gl = this.gl;
    if (this.acc) (gl.deleteFramebuffer(this.acc.fb), gl.deleteTexture(this.acc.tex));
    const tex = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA16F, w, h, 0, gl.RGBA, gl.HALF_FLOAT, null);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    const fb = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      return undefined;
    }
    this.acc = { fb, tex, w, h };
    return this.acc;
  }
}

function program(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const p = gl.createProgram()!;
  for (const [type, source] of [[gl.VERTEX_SHADER, vertex], [gl.FRAGMENT_SHADER, fragment]] as const) {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(s)}`);
    gl.attachShader(p, s);
  }
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(p)}`);
  return p;
}

/** A CSS colour as 0..1 floats. */
function rgb(css: string): [number, number, number] {
  const c = parseColor(css);
  return [(c & 255) / 255, ((c >> 8) & 255) / 255, ((c >> 16) & 255) / 255];
}
