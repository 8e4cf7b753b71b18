// What a renderer draws (the scene: points, their colours and what is highlighted) and what
// every renderer offers the page: drawing, picking, coordinates, export. Two implement it:
// WebGL 2 (glRenderer.ts, a million points) and the 2-D canvas fallback (render.ts).
import type { View } from './viewMath';

export interface Scene {
  coords: Float32Array;
  dims: 2 | 3;
  words: readonly string[];
  /** Packed 0xAABBGGRR per point (little-endian bytes R, G, B, A). */
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
  /** Where the time went: points (pixels written, or WebGL calls issued), image uploaded, rings and labels. */
  splatMs: number;
  putMs: number;
  overlayMs: number;
}

export interface MapRenderer {
  readonly kind: 'webgl2' | 'canvas';
  readonly dpr: number;
  /** Device pixels per map unit. */
  scale(view: View): number;
  /** Device pixels → map units. */
  toMap(view: View, sx: number, sy: number): [number, number];
  /** Device-pixel position of point i in the last frame; undefined when hidden or not drawn yet. */
  screenOf(i: number): readonly [number, number] | undefined;
  draw(scene: Scene, view: View): DrawStats;
  /** Fills the map with the background (no points yet). */
  clear(background: string): void;
  /** Nearest drawn point within `radius` CSS pixels of a CSS-pixel position. */
  pick(x: number, y: number, radius?: number): number | undefined;
  /** The last frame, points and labels together, as a PNG data URL. */
  toPng(): string;
}

/** Whether point i is shown at all (isolating a search hides the non-matches). */
export function shown(scene: Scene, i: number): boolean {
  return !(scene.isolate && scene.matches && scene.matches[i] !== 1);
}
