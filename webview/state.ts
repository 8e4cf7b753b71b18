// The map page's state: what the user chose (saved with setState so a reload restores it),
// the model's words and projections as the extension sent them, and the one channel to
// the extension (every message checked by mapMessages first).
import { parseToHost, type CurvePoint, type MapFacts, type Metric, type ToHost } from '../src/mapMessages';
import type { ColorMode, Coloring } from './colors';
import type { DrawStats } from './scene';
import { HOME_VIEW, type View } from './viewMath';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

export interface Saved {
  query: string;
  isolate: boolean;
  colorMode: ColorMode;
  selected?: string;
  k: number;
  metric: Metric;
  dims: 2 | 3;
  view: View;
  analogy: [string, string, string];
}

const vscode = acquireVsCodeApi();
const restored = (vscode.getState() ?? {}) as Partial<Saved>;
/** The user's choices, kept across reloads. */
export const state: Saved = {
  query: typeof restored.query === 'string' ? restored.query : '',
  isolate: restored.isolate === true,
  colorMode: restored.colorMode === 'kind' || restored.colorMode === 'cluster' ? restored.colorMode : 'frequency',
  selected: typeof restored.selected === 'string' ? restored.selected : undefined,
  k: Number.isInteger(restored.k) && restored.k! >= 1 && restored.k! <= 100 ? restored.k! : 12,
  metric: restored.metric === 'euclidean' ? 'euclidean' : 'cosine',
  dims: restored.dims === 3 ? 3 : 2,
  view: restored.view && Number.isFinite(restored.view.zoom) ? { ...HOME_VIEW, ...restored.view } : { ...HOME_VIEW },
  analogy: Array.isArray(restored.analogy) && restored.analogy.length === 3 ? (restored.analogy.map(String) as Saved['analogy']) : ['', '', ''],
};
export const save = () => vscode.setState(state);

export function post(message: ToHost): void {
  vscode.postMessage(parseToHost(message));
}

/** What the page shows now: the model's words, their projections, and what is selected among them. */
export const data = {
  words: [] as string[],
  counts: [] as number[],
  kinds: [] as string[],
  facts: undefined as MapFacts | undefined,
  curve: [] as CurvePoint[],
  indexOf: new Map<string, number>(),
  coordsByDims: { 2: undefined, 3: undefined } as Record<2 | 3, Float32Array | undefined>,
  progress: { 2: '', 3: '' } as Record<2 | 3, string>,
  /** Whether the picture of each dimensionality is final (a cancelled run leaves a partial one). */
  finalByDims: { 2: false, 3: false } as Record<2 | 3, boolean>,
  coloring: undefined as Coloring | undefined,
  matches: undefined as { mask: Uint8Array; count: number } | undefined,
  selected: undefined as number | undefined,
  neighbors: [] as number[],
  analogy: { operands: [] as number[], results: [] as number[] },
  hovered: undefined as number | undefined,
  /** Requests are numbered so an answer to an older one is recognised and dropped. */
  seq: 0,
  neighborSeq: -1,
  analogySeq: -1,
  lastDraw: undefined as DrawStats | undefined,
  projectionStarted: 0,
  /** A point to centre on once the projection has drawn (Show on Map before the first frame). */
  pendingCentre: undefined as number | undefined,
};

export function find(word: string): number | undefined {
  const { indexOf } = data;
  return indexOf.get(word) ?? indexOf.get(word.trim()) ?? indexOf.get(word.trim().toLowerCase());
}
