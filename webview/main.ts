// The embedding map's page: builds the UI, keeps the state (saved with setState so a reload
// restores it), and talks to the extension only through the checked messages of mapMessages.
import { parseToHost, parseToWebview, type CurvePoint, type MapFacts, type Metric, type ScoredWord, type ToHost, type ToWebview } from '../src/mapMessages';
import { drawCurve } from './chart';
import { colorByCluster, colorByFrequency, colorByKind, kmeans, type ColorMode, type Coloring } from './colors';
import { el, formatInt, setChildren, themeColor } from './dom';
import { HOME_VIEW, Renderer, type DrawStats, type Scene, type View } from './render';
import { matchMask, parseQuery } from './search';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

interface Saved {
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
const state: Saved = {
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
const save = () => vscode.setState(state);

function post(message: ToHost): void {
  vscode.postMessage(parseToHost(message));
}

// ---------------------------------------------------------------------------------------
// Data

let words: string[] = [];
let counts: number[] = [];
let kinds: string[] = [];
let facts: MapFacts | undefined;
let curve: CurvePoint[] = [];
const indexOf = new Map<string, number>();
const coordsByDims: Record<2 | 3, Float32Array | undefined> = { 2: undefined, 3: undefined };
let progress: Record<2 | 3, string> = { 2: '', 3: '' };
/** Whether the picture of each dimensionality is final (a cancelled run leaves a partial one). */
let finalByDims: Record<2 | 3, boolean> = { 2: false, 3: false };
let coloring: Coloring | undefined;
let matches: { mask: Uint8Array; count: number } | undefined;
let selected: number | undefined;
let neighbors: number[] = [];
let analogy = { operands: [] as number[], results: [] as number[] };
let hovered: number | undefined;
let seq = 0;
let neighborSeq = -1;
let analogySeq = -1;
let lastDraw: DrawStats | undefined;
let projectionStarted = 0;

function find(word: string): number | undefined {
  return indexOf.get(word) ?? indexOf.get(word.trim()) ?? indexOf.get(word.trim().toLowerCase());
}

// ---------------------------------------------------------------------------------------
// Layout

const canvas = el('canvas', { 'data-testid': 'map-canvas', 'aria-label': 'Embedding map', tabindex: 0 });
const tooltip = el('div', { class: 'tooltip', 'data-testid': 'tooltip', hidden: true });
const empty = el('div', { class: 'empty', 'data-testid': 'map-empty', hidden: true });
const statusLine = el('div', { class: 'status', 'data-testid': 'status' }, 'Loading…');
const toggle3d = el('button', { class: 'tool', 'data-testid': 'toggle-3d', title: 'Switch between the 2-D and the 3-D map (drag rotates in 3-D, Shift+drag pans)' }, '3D');
const homeButton = el('button', { class: 'tool', 'data-testid': 'reset-view', title: 'Fit the whole map in view' }, 'Fit');
const pngButton = el('button', { class: 'tool', 'data-testid': 'export-png', title: 'Save the current view as a PNG image' }, 'PNG');
const tsvButton = el('button', { class: 'tool', 'data-testid': 'export-tsv', title: 'Export vectors.tsv + metadata.tsv for the TensorFlow projector' }, 'TSV');
const stage = el('div', { class: 'stage' }, canvas, tooltip, empty, el('div', { class: 'toolbar' }, toggle3d, homeButton, pngButton, tsvButton), statusLine);

const searchBox = el('input', { type: 'search', 'data-testid': 'search', placeholder: 'Search words, or /regex/', spellcheck: 'false', 'aria-label': 'Search words' });
const isolateBox = el('input', { type: 'checkbox', 'data-testid': 'isolate', id: 'isolate' });
const searchInfo = el('div', { class: 'hint', 'data-testid': 'search-info' });

const selectedTitle = el('div', { class: 'selected-word', 'data-testid': 'selected-word' });
const kInput = el('input', { type: 'number', min: 1, max: 100, 'data-testid': 'neighbor-k', 'aria-label': 'Number of neighbours' });
const metricSelect = el('select', { 'data-testid': 'metric', 'aria-label': 'Distance' }, el('option', { value: 'cosine' }, 'cosine'), el('option', { value: 'euclidean' }, 'euclidean'));
const neighborList = el('ol', { class: 'rows', 'data-testid': 'neighbor-list' });
const neighborInfo = el('div', { class: 'hint', 'data-testid': 'neighbor-info' }, 'Click a point to list its nearest neighbours in the original embedding space.');

const analogyInputs = (['a', 'b', 'c'] as const).map((name, i) =>
  el('input', { type: 'text', 'data-testid': `analogy-${name}`, placeholder: ['king', 'man', 'woman'][i], spellcheck: 'false', 'aria-label': `analogy ${name}` }),
);
const analogyGo = el('button', { 'data-testid': 'analogy-go' }, '=');
const analogyList = el('ol', { class: 'rows', 'data-testid': 'analogy-list' });
const analogyInfo = el('div', { class: 'hint', 'data-testid': 'analogy-info' });

const colorSelect = el(
  'select',
  { 'data-testid': 'color-mode', 'aria-label': 'Colour by' },
  el('option', { value: 'frequency' }, 'frequency'),
  el('option', { value: 'kind' }, 'token kind'),
  el('option', { value: 'cluster' }, 'cluster (k-means on the map)'),
);
const legend = el('div', { class: 'legend', 'data-testid': 'legend' });
const factsList = el('dl', { class: 'facts', 'data-testid': 'model-facts' });
const curveCanvas = el('canvas', { class: 'curve', 'data-testid': 'curve' });
const curveKey = el('div', { class: 'curve-key' }, el('span', { class: 'key loss' }, 'training loss'), el('span', { class: 'key ppl' }, 'validation perplexity'));

const section = (title: string, ...children: (Node | string)[]) => el('section', {}, el('h2', {}, title), ...children);
const sidebar = el(
  'aside',
  { class: 'sidebar' },
  section('Search', searchBox, el('label', { class: 'check', for: 'isolate' }, isolateBox, ' isolate matches'), searchInfo),
  section(
    'Neighbours',
    selectedTitle,
    el('div', { class: 'controls' }, el('label', {}, 'k ', kInput), el('label', {}, metricSelect)),
    neighborInfo,
    neighborList,
  ),
  section(
    'Analogy',
    el('form', { class: 'analogy', 'data-testid': 'analogy-form' }, analogyInputs[0], ' − ', analogyInputs[1], ' + ', analogyInputs[2], analogyGo),
    analogyInfo,
    analogyList,
  ),
  section('Colour', colorSelect, legend),
  section('Model', factsList, curveCanvas, curveKey),
);
document.getElementById('app')!.append(stage, sidebar);

// ---------------------------------------------------------------------------------------
// Drawing

const renderer = new Renderer(canvas);
let frameRequested = false;

function requestDraw(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    draw();
  });
}

function draw(): void {
  const coords = coordsByDims[state.dims];
  if (!coords || !coloring || coords.length / state.dims !== words.length) {
    renderer.resize();
    renderer.ctx.fillStyle = themeColor('--vscode-editor-background', '#1e1e1e');
    renderer.ctx.fillRect(0, 0, canvas.width, canvas.height);
    return;
  }
  const scene: Scene = {
    coords,
    dims: state.dims,
    words,
    colors: coloring.packed,
    matches: matches?.mask,
    isolate: state.isolate && matches !== undefined,
    selected,
    neighbors,
    analogy,
    hovered,
    background: themeColor('--vscode-editor-background', '#1e1e1e'),
    foreground: themeColor('--vscode-editor-foreground', '#d4d4d4'),
    accent: themeColor('--vscode-focusBorder', '#007fd4'),
    secondary: themeColor('--vscode-charts-orange', '#d18616'),
    font: themeColor('--vscode-font-family', 'sans-serif'),
  };
  lastDraw = renderer.draw(scene, state.view);
  updateStatus();
}

function updateStatus(): void {
  if (!words.length) return;
  const parts = [`${formatInt(words.length)} points`, progress[state.dims] || 'waiting for the projection…'];
  if (matches) parts.push(`${formatInt(matches.count)} match${matches.count === 1 ? '' : 'es'}`);
  parts.push(`${state.dims}-D`);
  statusLine.textContent = parts.join(' · ');
  if (lastDraw) {
    const d = lastDraw;
    statusLine.title = `last frame drawn in ${d.ms.toFixed(1)} ms (points ${d.splatMs.toFixed(1)}, upload ${d.putMs.toFixed(1)}, labels ${d.overlayMs.toFixed(1)}); ${formatInt(d.drawn)} points, ${d.labels} labels in view`;
  }
}

function recolor(): void {
  if (!words.length) return;
  const coords = coordsByDims[state.dims];
  if (state.colorMode === 'kind') coloring = colorByKind(kinds);
  else if (state.colorMode === 'cluster' && coords) coloring = colorByCluster(kmeans(coords, state.dims, 10), 10, words);
  else coloring = colorByFrequency(counts, !document.body.classList.contains('vscode-light') && !document.body.classList.contains('vscode-high-contrast-light'));
  renderLegend();
  requestDraw();
}

function renderLegend(): void {
  if (!coloring) return setChildren(legend);
  const l = coloring.legend;
  if (l.kind === 'gradient') {
    const bar = el('div', { class: 'gradient' });
    bar.style.background = `linear-gradient(to right, ${l.stops.join(', ')})`;
    setChildren(legend, bar, el('div', { class: 'gradient-labels' }, el('span', {}, l.from), el('span', {}, l.to)));
    return;
  }
  setChildren(
    legend,
    ...l.items.map((item) => {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = item.color;
      return el('div', { class: 'legend-item', 'data-testid': 'legend-item' }, swatch, el('span', { class: 'legend-label' }, item.label), el('span', { class: 'count' }, item.detail ?? ''));
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Selection, neighbours, analogy

function select(i: number | undefined, recentre = false): void {
  selected = i;
  neighbors = [];
  state.selected = i === undefined ? undefined : words[i];
  save();
  setChildren(neighborList);
  if (i === undefined) {
    setChildren(selectedTitle);
    neighborInfo.textContent = 'Click a point to list its nearest neighbours in the original embedding space.';
    requestDraw();
    return;
  }
  setChildren(selectedTitle, el('span', { class: 'word' }, words[i]), el('span', { class: 'count' }, `${formatInt(counts[i])}× · ${kinds[i]}`));
  neighborInfo.textContent = 'Asking the model…';
  neighborSeq = ++seq;
  post({ type: 'neighbors', seq: neighborSeq, word: words[i], k: state.k, metric: state.metric });
  if (recentre) centreOn(i);
  requestDraw();
}

function showRows(list: HTMLOListElement, items: ScoredWord[], testid: string, metric: Metric | 'analogy'): number[] {
  const found: number[] = [];
  const best = Math.max(...items.map((n) => Math.abs(n.score)), 1e-9);
  setChildren(
    list,
    ...items.map((n) => {
      const i = find(n.word);
      if (i !== undefined) found.push(i);
      const bar = el('span', { class: 'bar' });
      // Cosine is in [-1, 1]; euclidean scores are negative distances: show nearest as fullest.
      const fill = metric === 'euclidean' ? Math.min(...items.map((x) => -x.score)) / Math.max(1e-9, -n.score) : Math.max(0, n.score) / best;
      bar.style.width = `${Math.round(Math.max(0, Math.min(1, fill)) * 100)}%`;
      const row = el(
        'li',
        { 'data-testid': testid, class: i === undefined ? 'missing' : undefined, title: i === undefined ? 'not on the map' : 'click to select' },
        el('span', { class: 'word' }, n.word),
        el('span', { class: 'score' }, metric === 'euclidean' ? (-n.score).toFixed(3) : n.score.toFixed(3)),
        el('span', { class: 'bar-track' }, bar),
      );
      if (i !== undefined) {
        row.addEventListener('click', () => select(i, true));
        row.addEventListener('mouseenter', () => ((hovered = i), requestDraw()));
        row.addEventListener('mouseleave', () => ((hovered = undefined), requestDraw()));
      }
      return row;
    }),
  );
  return found;
}

function runAnalogy(): void {
  const [a, b, c] = analogyInputs.map((input) => input.value.trim());
  state.analogy = [a, b, c];
  save();
  if (!a || !b || !c) {
    analogyInfo.textContent = 'Fill in all three words: a − b + c.';
    return;
  }
  analogyInfo.textContent = 'Asking the model…';
  analogySeq = ++seq;
  post({ type: 'analogy', seq: analogySeq, a, b, c, k: 10 });
}

/** A point to centre on once the projection has drawn (Show on Map before the first frame). */
let pendingCentre: number | undefined;

function centreOn(i: number): void {
  const coords = coordsByDims[state.dims];
  // Animate towards the point's current screen position, converted to view units.
  const sx = renderer.screen[2 * i];
  const sy = renderer.screen[2 * i + 1];
  if (!coords || renderer.screen.length !== (2 * coords.length) / state.dims || !Number.isFinite(sx)) {
    pendingCentre = i;
    return;
  }
  pendingCentre = undefined;
  const [tx, ty] = renderer.toMap(state.view, sx, sy);
  const from = { ...state.view };
  // Zoom in on big maps only: a few hundred words already fit the view.
  const zoomTo = Math.max(from.zoom, Math.min(4, Math.sqrt(words.length) / 20));
  const started = performance.now();
  const step = (now: number) => {
    const t = Math.min(1, (now - started) / 350);
    const e = 1 - (1 - t) ** 3;
    state.view = { ...state.view, cx: from.cx + (tx - from.cx) * e, cy: from.cy + (ty - from.cy) * e, zoom: from.zoom + (zoomTo - from.zoom) * e };
    draw();
    if (t < 1) requestAnimationFrame(step);
    else save();
  };
  requestAnimationFrame(step);
}

// ---------------------------------------------------------------------------------------
// Messages from the extension

window.addEventListener('message', (event: MessageEvent) => {
  let message: ToWebview;
  try {
    message = parseToWebview(event.data);
  } catch (error) {
    post({ type: 'log', level: 'error', message: `webview ignored a message: ${(error as Error).message}`.slice(0, 900) });
    return;
  }
  receive(message);
});

function receive(message: ToWebview): void {
  switch (message.type) {
    case 'info': {
      words = message.words;
      counts = message.counts;
      kinds = message.kinds;
      facts = message.facts;
      curve = message.curve;
      indexOf.clear();
      words.forEach((w, i) => {
        if (!indexOf.has(w)) indexOf.set(w, i);
        const lower = w.toLowerCase();
        if (!indexOf.has(lower)) indexOf.set(lower, i);
      });
      coordsByDims[2] = coordsByDims[3] = undefined;
      progress = { 2: '', 3: '' };
      finalByDims = { 2: false, 3: false };
      // Indices of an older model mean nothing now; the selected word is looked up again.
      selected = hovered = undefined;
      neighbors = [];
      analogy = { operands: [], results: [] };
      setChildren(neighborList);
      setChildren(analogyList);
      empty.hidden = true;
      renderFacts(message.modelPath, `${message.kind} · ${message.tokenizer} tokens`);
      applySearch();
      recolor();
      requestProjection();
      return;
    }
    case 'frame': {
      if (message.coords.length / message.dims !== words.length) return; // a frame of an older model
      coordsByDims[message.dims] = Float32Array.from(message.coords);
      finalByDims[message.dims] = message.cached || message.epoch >= message.epochs;
      const seconds = ((performance.now() - projectionStarted) / 1000).toFixed(1);
      progress[message.dims] = message.cached
        ? `${message.stage.toUpperCase()} (cached)`
        : message.stage === 'pca'
          ? message.epochs === 0
            ? 'PCA'
            : 'PCA · UMAP starting…'
          : message.epoch >= message.epochs
            ? `UMAP done in ${seconds} s`
            : `UMAP epoch ${message.epoch}/${message.epochs}`;
      if (message.dims === state.dims) {
        if (state.colorMode === 'cluster' && (message.stage === 'pca' || message.epoch >= message.epochs || message.cached)) recolor();
        if (selected === undefined && state.selected !== undefined) {
          const i = find(state.selected);
          if (i !== undefined) select(i);
        }
        requestDraw();
        if (pendingCentre !== undefined && finalByDims[message.dims]) {
          draw();
          centreOn(pendingCentre);
        }
      }
      return;
    }
    case 'status':
      empty.hidden = message.state === 'ready';
      setChildren(empty, el('div', { class: 'empty-title' }, message.state === 'loading' ? 'Loading…' : message.state === 'none' ? 'No model yet' : 'The map cannot be shown'), el('div', {}, message.message));
      statusLine.textContent = message.message;
      return;
    case 'neighbors': {
      if (message.seq !== neighborSeq) return; // an answer to an older click
      if (!message.known) {
        neighborInfo.textContent = `“${message.word}” is not in the model's vocabulary.`;
        return;
      }
      neighborInfo.textContent = `${message.neighbors.length} nearest by ${message.metric === 'cosine' ? 'cosine similarity' : 'euclidean distance'} in the ${facts?.dim ?? ''}-D embedding space`;
      neighbors = showRows(neighborList, message.neighbors, 'neighbor-row', message.metric);
      requestDraw();
      return;
    }
    case 'analogy': {
      if (message.seq !== analogySeq) return;
      if (message.unknown.length) {
        analogyInfo.textContent = `Not in the vocabulary: ${message.unknown.join(', ')}`;
        setChildren(analogyList);
        analogy = { operands: [], results: [] };
      } else {
        const [a, b, c] = state.analogy;
        analogyInfo.textContent = `${a} − ${b} + ${c} ≈`;
        analogy = { operands: state.analogy.map(find).filter((i): i is number => i !== undefined), results: showRows(analogyList, message.results, 'analogy-row', 'analogy') };
      }
      requestDraw();
      return;
    }
    case 'focus': {
      const i = find(message.word);
      if (i === undefined) {
        neighborInfo.textContent = `“${message.word}” is not on the map.`;
        return;
      }
      select(i, true);
      return;
    }
    case 'error':
      if (message.seq !== undefined && message.seq === neighborSeq) neighborInfo.textContent = message.message;
      else if (message.seq !== undefined && message.seq === analogySeq) analogyInfo.textContent = message.message;
      else statusLine.textContent = message.message;
      return;
  }
}

function requestProjection(): void {
  if (!words.length || finalByDims[state.dims]) return;
  projectionStarted = performance.now();
  progress[state.dims] = 'projecting…';
  updateStatus();
  post({ type: 'project', dims: state.dims });
}

function renderFacts(modelPath: string, kind: string): void {
  const rows: [string, string][] = [
    ['Model', kind],
    ['Vocabulary', facts ? formatInt(facts.vocab) : ''],
    ['Embedding', facts ? `${facts.dim} dimensions` : ''],
    ['Tokens', facts?.tokens != null ? formatInt(facts.tokens) : '—'],
    ['Validation ppl', facts?.validPpl != null ? facts.validPpl.toFixed(2) : '—'],
    ['Backend', facts?.backend ?? '—'],
    ['Trained', facts?.createdAt ? facts.createdAt.replace('T', ' ').slice(0, 16) : '—'],
  ];
  setChildren(factsList, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  factsList.title = modelPath;
  drawCurve(curveCanvas, curve, {
    foreground: themeColor('--vscode-foreground', '#ccc'),
    muted: themeColor('--vscode-descriptionForeground', '#999'),
    loss: themeColor('--vscode-charts-blue', '#3794ff'),
    ppl: themeColor('--vscode-charts-orange', '#d18616'),
    font: themeColor('--vscode-font-family', 'sans-serif'),
  });
  curveKey.hidden = curve.length === 0;
}

// ---------------------------------------------------------------------------------------
// Search

let searchTimer: ReturnType<typeof setTimeout> | undefined;

function applySearch(): void {
  const matcher = parseQuery(state.query);
  searchInfo.classList.toggle('error', matcher?.error !== undefined);
  if (!matcher || matcher.error !== undefined) {
    matches = undefined;
    searchInfo.textContent = matcher?.error ?? 'Plain text matches anywhere in a word; /^get/i is a regular expression.';
  } else {
    matches = matchMask(words, matcher);
    searchInfo.textContent = `${formatInt(matches.count)} of ${formatInt(words.length)} words match`;
  }
  requestDraw();
}

// ---------------------------------------------------------------------------------------
// Input

searchBox.value = state.query;
isolateBox.checked = state.isolate;
kInput.value = String(state.k);
metricSelect.value = state.metric;
colorSelect.value = state.colorMode;
analogyInputs.forEach((input, i) => (input.value = state.analogy[i]));
toggle3d.classList.toggle('on', state.dims === 3);

searchBox.addEventListener('input', () => {
  state.query = searchBox.value;
  save();
  clearTimeout(searchTimer);
  searchTimer = setTimeout(applySearch, 120);
});
searchBox.addEventListener('keydown', (e) => {
  // Enter on a search with matches selects the most frequent one.
  if (e.key === 'Enter' && matches && matches.count > 0) {
    const i = matches.mask.indexOf(1);
    if (i >= 0) select(i, true);
  }
});
isolateBox.addEventListener('change', () => {
  state.isolate = isolateBox.checked;
  save();
  requestDraw();
});
kInput.addEventListener('change', () => {
  const k = Math.round(Number(kInput.value));
  state.k = Number.isFinite(k) ? Math.max(1, Math.min(100, k)) : 12;
  kInput.value = String(state.k);
  save();
  if (selected !== undefined) select(selected);
});
metricSelect.addEventListener('change', () => {
  state.metric = metricSelect.value === 'euclidean' ? 'euclidean' : 'cosine';
  save();
  if (selected !== undefined) select(selected);
});
colorSelect.addEventListener('change', () => {
  const v = colorSelect.value;
  state.colorMode = v === 'kind' || v === 'cluster' ? v : 'frequency';
  save();
  recolor();
});
analogyGo.closest('form')!.addEventListener('submit', (e) => {
  e.preventDefault();
  runAnalogy();
});
toggle3d.addEventListener('click', () => {
  state.dims = state.dims === 2 ? 3 : 2;
  state.view = { ...state.view, cx: 0, cy: 0, zoom: 1 };
  toggle3d.classList.toggle('on', state.dims === 3);
  save();
  requestProjection();
  if (state.colorMode === 'cluster') recolor();
  requestDraw();
});
homeButton.addEventListener('click', () => {
  state.view = { ...HOME_VIEW };
  save();
  requestDraw();
});
pngButton.addEventListener('click', () => {
  draw();
  post({ type: 'exportPng', dataUrl: canvas.toDataURL('image/png') });
});
tsvButton.addEventListener('click', () => post({ type: 'exportTsv' }));

let drag: { x: number; y: number; moved: boolean; view: View; pan: boolean } | undefined;

canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  drag = { x: e.offsetX, y: e.offsetY, moved: false, view: { ...state.view }, pan: state.dims === 2 || e.shiftKey };
});
canvas.addEventListener('pointermove', (e) => {
  if (drag) {
    const dx = e.offsetX - drag.x;
    const dy = e.offsetY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    tooltip.hidden = true;
    if (drag.pan) {
      const s = renderer.scale(drag.view) / renderer.dpr;
      state.view = { ...state.view, cx: drag.view.cx - dx / s, cy: drag.view.cy + dy / s };
    } else {
      state.view = { ...state.view, yaw: drag.view.yaw + dx * 0.008, pitch: Math.max(-1.5, Math.min(1.5, drag.view.pitch + dy * 0.008)) };
    }
    requestDraw();
    return;
  }
  const i = renderer.pick(e.offsetX, e.offsetY, 8);
  if (i !== hovered) {
    hovered = i;
    requestDraw();
  }
  if (i === undefined) {
    tooltip.hidden = true;
    return;
  }
  setChildren(tooltip, el('div', { class: 'word' }, words[i]), el('div', { class: 'count' }, `${formatInt(counts[i])}× · ${kinds[i]} · #${formatInt(i + 1)}`));
  tooltip.style.left = `${e.offsetX + 14}px`;
  tooltip.style.top = `${e.offsetY + 10}px`;
  tooltip.hidden = false;
});
canvas.addEventListener('pointerup', (e) => {
  const wasClick = drag && !drag.moved;
  drag = undefined;
  if (wasClick) select(renderer.pick(e.offsetX, e.offsetY, 10));
  else save();
});
canvas.addEventListener('pointerleave', () => {
  tooltip.hidden = true;
  if (hovered !== undefined) {
    hovered = undefined;
    requestDraw();
  }
});
canvas.addEventListener('dblclick', (e) => {
  const i = renderer.pick(e.offsetX, e.offsetY, 12);
  if (i !== undefined) centreOn(i);
});
canvas.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
    const zoom = Math.max(0.2, Math.min(400, state.view.zoom * factor));
    // Keep the point under the cursor where it is.
    const px = e.offsetX * renderer.dpr;
    const py = e.offsetY * renderer.dpr;
    const [mx, my] = renderer.toMap(state.view, px, py);
    const next = { ...state.view, zoom };
    const [nx, ny] = renderer.toMap(next, px, py);
    state.view = { ...next, cx: next.cx + (mx - nx), cy: next.cy + (my - ny) };
    save();
    requestDraw();
  },
  { passive: false },
);
window.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== searchBox && !(document.activeElement instanceof HTMLInputElement)) {
    e.preventDefault();
    searchBox.focus();
  } else if (e.key === 'Escape' && document.activeElement === canvas) {
    select(undefined);
  }
});
new ResizeObserver(() => requestDraw()).observe(canvas);
// Theme changes (light/dark/high contrast) swap the body class: redraw with the new colours.
new MutationObserver(() => {
  recolor();
  if (facts) renderFacts(factsList.title, String(factsList.querySelector('dd')?.textContent ?? ''));
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready' });
