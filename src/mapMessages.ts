// The messages between the embedding map's webview and the extension (both directions),
// with a runtime check. A webview is another process showing workspace strings: whatever
// arrives through postMessage is validated before use, on both sides, and a message of
// unexpected shape is rejected with a reason instead of being half-used.
import type { CurvePoint, MapFacts, MapInfoResult, Metric, Neighbor as ScoredWord } from './protocol';

// What the map shows comes from the server: its types are the protocol's.
export type { CurvePoint, MapFacts, Metric, ScoredWord };
export type Dims = 2 | 3;

/** Webview → extension. */
export type ToHost =
  | { type: 'ready' }
  | { type: 'project'; dims: Dims }
  | { type: 'neighbors'; seq: number; word: string; k: number; metric: Metric }
  | { type: 'analogy'; seq: number; a: string; b: string; c: string; k: number }
  | { type: 'exportPng'; dataUrl: string }
  | { type: 'exportTsv' }
  | { type: 'log'; level: 'info' | 'error'; message: string };

/** Extension → webview. */
export type ToWebview =
  | ({ type: 'info' } & MapInfoResult)
  | {
      type: 'frame';
      stage: 'pca' | 'umap';
      epoch: number;
      epochs: number;
      dims: Dims;
      /**
       * x, y(, z) per word. A Float32Array crosses postMessage as binary (VS Code ≥ 1.57
       * transfers typed arrays): 8 MB for a million 2-D points instead of ~40 MB of JSON.
       */
      coords: number[] | Float32Array;
      /** Compact form for transports that carry only JSON (LSP): little-endian float32 as base64; `coords` is then empty. */
      coordsBase64?: string;
      cached: boolean;
    }
  | { type: 'status'; state: 'loading' | 'ready' | 'none' | 'error'; message: string }
  | { type: 'neighbors'; seq: number; word: string; known: boolean; metric: Metric; neighbors: ScoredWord[] }
  | { type: 'analogy'; seq: number; unknown: string[]; results: ScoredWord[] }
  | { type: 'focus'; word: string }
  | { type: 'error'; message: string; seq?: number };

export class MapMessageError extends Error {
  override name = 'MapMessageError';
}

// A field is checked by a small predicate; `?` marks optional fields.
type Check = (v: unknown) => boolean;
type Shape = Record<string, Check>;

const str: Check = (v) => typeof v === 'string';
const shortStr: Check = (v) => typeof v === 'string' && v.length <= 1000;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const int = (min: number, max: number): Check => (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const bool: Check = (v) => typeof v === 'boolean';
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);
const arrayOf = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);
const numOrNull: Check = (v) => v === null || num(v);
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const object = (shape: Shape): Check => (v) => describeMismatch(v, shape) === undefined;
const scored = object({ word: str, score: num });
// Coordinates are finite numbers, as a plain array or a Float32Array; a NaN from a broken projection is refused here.
const finiteAll = (v: ArrayLike<unknown>) => {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) return false;
  return true;
};
const coords: Check = (v) => (Array.isArray(v) || v instanceof Float32Array) && finiteAll(v);
const base64: Check = (v) => typeof v === 'string' && v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
const pngDataUrl: Check = (v) => typeof v === 'string' && v.startsWith('data:image/png;base64,') && v.length < 64 * 1024 * 1024;

const toHost: Record<ToHost['type'], Shape> = {
  ready: {},
  project: { dims: oneOf(2, 3) },
  neighbors: { seq: int(0, Number.MAX_SAFE_INTEGER), word: shortStr, k: int(1, 200), metric: oneOf('cosine', 'euclidean') },
  analogy: { seq: int(0, Number.MAX_SAFE_INTEGER), a: shortStr, b: shortStr, c: shortStr, k: int(1, 200) },
  exportPng: { dataUrl: pngDataUrl },
  exportTsv: {},
  log: { level: oneOf('info', 'error'), message: shortStr },
};

const toWebview: Record<ToWebview['type'], Shape> = {
  info: {
    modelPath: str,
    kind: str,
    tokenizer: str,
    words: arrayOf(str),
    counts: arrayOf(num),
    kinds: arrayOf(str),
    facts: object({ vocab: int(0, 1e9), dim: int(0, 1e6), tokens: numOrNull, backend: (v) => v === null || str(v), validPpl: numOrNull, createdAt: str }),
    curve: arrayOf(object({ step: num, loss: num, validPpl: optional(num) })),
  },
  frame: {
    stage: oneOf('pca', 'umap'),
    epoch: int(0, 1e6),
    epochs: int(0, 1e6),
    dims: oneOf(2, 3),
    coords,
    coordsBase64: optional(base64),
    cached: bool,
  },
  status: { state: oneOf('loading', 'ready', 'none', 'error'), message: str },
  neighbors: { seq: int(0, Number.MAX_SAFE_INTEGER), word: str, known: bool, metric: oneOf('cosine', 'euclidean'), neighbors: arrayOf(scored) },
  analogy: { seq: int(0, Number.MAX_SAFE_INTEGER), unknown: arrayOf(str), results: arrayOf(scored) },
  focus: { word: shortStr },
  error: { message: str, seq: optional(int(0, Number.MAX_SAFE_INTEGER)) },
};

/** The first problem with `value` against `shape`, or undefined when it fits. Unknown keys are refused. */
function describeMismatch(value: unknown, shape: Shape, skip: string[] = []): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const record = value as Record<string, unknown>;
  for (const [key, check] of Object.entries(shape)) {
    if (!check(record[key])) return record[key] === undefined ? `"${key}" is missing` : `"${key}" has the wrong type or value`;
  }
  for (const key of Object.keys(record)) {
    // hasOwnProperty, not `in`: `in` would let "constructor" or "toString" through as known fields.
    if (!skip.includes(key) && !Object.prototype.hasOwnProperty.call(shape, key)) return `unexpected field "${key}"`;
  }
  return undefined;
}

function parse<T extends { type: string }>(raw: unknown, table: Record<string, Shape>, direction: string): T {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new MapMessageError(`${direction} message is not an object`);
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(table, type)) {
    throw new MapMessageError(`${direction} message has an unknown type ${JSON.stringify(type)?.slice(0, 40)}`);
  }
  const problem = describeMismatch(raw, table[type], ['type']);
  if (problem) throw new MapMessageError(`${direction} message "${type}": ${problem}`);
  return raw as T;
}

/** Checks a message from the webview; throws MapMessageError naming the first problem. */
export function parseToHost(raw: unknown): ToHost {
  return parse<ToHost>(raw, toHost, 'webview→extension');
}

/** Checks a message for the webview; throws MapMessageError naming the first problem. */
export function parseToWebview(raw: unknown): ToWebview {
  const message = parse<ToWebview>(raw, toWebview, 'extension→webview');
  // Cross-field rules the table cannot express.
  if (message.type === 'info') {
    const n = message.words.length;
    if (message.counts.length !== n || message.kinds.length !== n) {
      throw new MapMessageError(`extension→webview message "info": ${n} words but ${message.counts.length} counts and ${message.kinds.length} kinds`);
    }
  }
  if (message.type === 'frame') {
    if (message.coordsBase64 !== undefined && message.coords.length) throw new MapMessageError('extension→webview message "frame": both "coords" and "coordsBase64"');
    const values = frameCoords(message);
    if (values.length % message.dims !== 0) {
      throw new MapMessageError(`extension→webview message "frame": ${values.length} coordinates is not a multiple of ${message.dims}`);
    }
    if (message.coordsBase64 !== undefined && !finiteAll(values)) throw new MapMessageError('extension→webview message "frame": "coordsBase64" holds a value that is not finite');
  }
  return message;
}

const decoded = new WeakMap<object, Float32Array>();

/** A frame's coordinates as one Float32Array, whichever form they came in (decoded once per message). */
export function frameCoords(message: Extract<ToWebview, { type: 'frame' }>): Float32Array {
  if (message.coordsBase64 === undefined) return message.coords instanceof Float32Array ? message.coords : Float32Array.from(message.coords);
  let values = decoded.get(message);
  if (!values) {
    const binary = atob(message.coordsBase64);
    if (binary.length % 4 !== 0) throw new MapMessageError(`extension→webview message "frame": "coordsBase64" holds ${binary.length} bytes, not whole float32s`);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    // Little-endian by definition; every platform VS Code runs on is little-endian, so no swap.
    values = new Float32Array(bytes.buffer);
    decoded.set(message, values);
  }
  return values;
}

/** Encodes coordinates as a frame's `coordsBase64` (little-endian float32). */
export function encodeCoords(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
