// Where the map's camera is and how map units become device pixels: shared by the WebGL
// renderer (whose vertex shader repeats the same formulas), the canvas fallback, picking and
// the pointer handlers, so a point is drawn, hovered and clicked at the same place.

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

/** Device pixels per map unit. */
export function viewScale(view: View, width: number, height: number): number {
  return view.zoom * Math.min(width, height) * 0.46;
}

/** Device pixels → map units. */
export function screenToMap(view: View, width: number, height: number, sx: number, sy: number): [number, number] {
  const s = viewScale(view, width, height);
  return [(sx - width / 2) / s + view.cx, -(sy - height / 2) / s + view.cy];
}

/** cos and sin of the 3-D view's yaw and pitch, computed once per frame rather than per point. */
export interface Rotation {
  cy: number;
  sy: number;
  cp: number;
  sp: number;
}

export function rotation(view: View): Rotation {
  return { cy: Math.cos(view.yaw), sy: Math.sin(view.yaw), cp: Math.cos(view.pitch), sp: Math.sin(view.pitch) };
}

/** The rotation and mild perspective of the 3-D view: writes [x, y] on the image plane and depth into `out`. */
export function rotate3d({ cy, sy, cp, sp }: Rotation, x: number, y: number, z: number, out: Float32Array | number[]): void {
  const x1 = x * cy + z * sy;
  const z1 = -x * sy + z * cy;
  const y2 = y * cp - z1 * sp;
  const z2 = y * sp + z1 * cp;
  const f = 3 / (3 + z2); // near points spread, far ones gather
  out[0] = x1 * f;
  out[1] = y2 * f;
  out[2] = z2;
}

/**
 * Screen positions (device pixels) of every point for a view: 2-D maps directly, 3-D after
 * rotation; `depth` (3-D only) receives each point's depth for drawing far to near.
 */
export function projectAll(coords: Float32Array, dims: 2 | 3, view: View, width: number, height: number, screen: Float32Array, depth?: Float32Array): void {
  const n = coords.length / dims;
  const s = viewScale(view, width, height);
  const w2 = width / 2;
  const h2 = height / 2;
  if (dims === 2) {
    for (let i = 0; i < n; i++) {
      screen[2 * i] = w2 + (coords[2 * i] - view.cx) * s;
      screen[2 * i + 1] = h2 - (coords[2 * i + 1] - view.cy) * s;
    }
    return;
  }
  const p = [0, 0, 0];
  const r = rotation(view);
  for (let i = 0; i < n; i++) {
    rotate3d(r, coords[3 * i], coords[3 * i + 1], coords[3 * i + 2], p);
    screen[2 * i] = w2 + (p[0] - view.cx) * s;
    screen[2 * i + 1] = h2 - (p[1] - view.cy) * s;
    if (depth) depth[i] = p[2];
  }
}

/** Point size in device pixels: big dots for few points, small ones that still resolve clusters for many; zooming in grows them. */
export function pointSize(n: number, zoom: number, dpr: number): number {
  const base = n < 1000 ? 4.5 : n < 10_000 ? 3 : 1.6;
  return Math.max(2, Math.min(8, Math.round(dpr * (base + Math.log2(Math.max(1, zoom)) * 0.7))));
}
