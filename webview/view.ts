// Drawing the map page from its state: the canvas (one frame per animation frame at most),
// the status line, colours and their legend, the model's facts and training curve, and the
// animated move to a point.
import { drawCurve } from './chart';
import { colorByCluster, colorByFrequency, colorByKind, kmeans } from './colors';
import { el, formatInt, setChildren, themeColor } from './dom';
import { canvas, curveCanvas, curveKey, factsList, legend, overlayCanvas, statusLine } from './layout';
import { createRenderer } from './mapRenderer';
import type { Scene } from './scene';
import { data, save, state } from './state';

export const renderer = createRenderer(canvas, overlayCanvas);
let frameRequested = false;

export function requestDraw(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    draw();
  });
}

export function draw(): void {
  const { words, coloring, matches } = data;
  const coords = data.coordsByDims[state.dims];
  if (!coords || !coloring || coords.length / state.dims !== words.length) {
    renderer.clear(themeColor('--vscode-editor-background', '#1e1e1e'));
    return;
  }
  const scene: Scene = {
    coords,
    dims: state.dims,
    words,
    colors: coloring.packed,
    matches: matches?.mask,
    isolate: state.isolate && matches !== undefined,
    selected: data.selected,
    neighbors: data.neighbors,
    analogy: data.analogy,
    hovered: data.hovered,
    background: themeColor('--vscode-editor-background', '#1e1e1e'),
    foreground: themeColor('--vscode-editor-foreground', '#d4d4d4'),
    accent: themeColor('--vscode-focusBorder', '#007fd4'),
    secondary: themeColor('--vscode-charts-orange', '#d18616'),
    font: themeColor('--vscode-font-family', 'sans-serif'),
  };
  data.lastDraw = renderer.draw(scene, state.view);
  updateStatus();
}

export function updateStatus(): void {
  const { words, matches } = data;
  if (!words.length) return;
  const parts = [`${formatInt(words.length)} points`, data.progress[state.dims] || 'waiting for the projection…'];
  if (matches) parts.push(`${formatInt(matches.count)} match${matches.count === 1 ? '' : 'es'}`);
  parts.push(`${state.dims}-D`);
  statusLine.textContent = parts.join(' · ');
  if (data.lastDraw) {
    const d = data.lastDraw;
    statusLine.title = `last frame drawn in ${d.ms.toFixed(1)} ms (${renderer.kind}: points ${d.splatMs.toFixed(1)}, upload ${d.putMs.toFixed(1)}, labels ${d.overlayMs.toFixed(1)}); ${formatInt(d.drawn)} points, ${d.labels} labels in view`;
  }
}

export function recolor(): void {
  const { words } = data;
  if (!words.length) return;
  const coords = data.coordsByDims[state.dims];
  if (state.colorMode === 'kind') data.coloring = colorByKind(data.kinds);
  else if (state.colorMode === 'cluster' && coords) data.coloring = colorByCluster(kmeans(coords, state.dims, 10), 10, words);
  else data.coloring = colorByFrequency(data.counts, !document.body.classList.contains('vscode-light') && !document.body.classList.contains('vscode-high-contrast-light'));
  renderLegend();
  requestDraw();
}

function renderLegend(): void {
  if (!data.coloring) return setChildren(legend);
  const l = data.coloring.legend;
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

export function renderFacts(modelPath: string, kind: string): void {
  const { facts, curve } = data;
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

export function centreOn(i: number): void {
  const coords = data.coordsByDims[state.dims];
  // Animate towards the point's current screen position, converted to view units.
  const at = coords && coords.length / state.dims === data.words.length ? renderer.screenOf(i) : undefined;
  if (!at) {
    data.pendingCentre = i;
    return;
  }
  data.pendingCentre = undefined;
  const [tx, ty] = renderer.toMap(state.view, at[0], at[1]);
  const from = { ...state.view };
  // Zoom in on big maps only: a few hundred words already fit the view.
  const zoomTo = Math.max(from.zoom, Math.min(4, Math.sqrt(data.words.length) / 20));
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
