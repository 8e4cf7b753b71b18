// The map page's elements: the canvas stage with its toolbar and status line, and the
// sidebar (search, neighbours, analogy, colour, model). The data-testid attributes are what
// the end-to-end tests find them by.
import { el } from './dom';

export const canvas = el('canvas', { 'data-testid': 'map-canvas', 'aria-label': 'Embedding map', tabindex: 0 });
// Labels, rings and lines are drawn above the points on their own canvas (the points' canvas may be WebGL).
export const overlayCanvas = el('canvas', { class: 'overlay', 'data-testid': 'map-overlay', 'aria-hidden': 'true' });
export const tooltip = el('div', { class: 'tooltip', 'data-testid': 'tooltip', hidden: true });
export const empty = el('div', { class: 'empty', 'data-testid': 'map-empty', hidden: true });
export const statusLine = el('div', { class: 'status', 'data-testid': 'status' }, 'Loading…');
export const toggle3d = el('button', { class: 'tool', 'data-testid': 'toggle-3d', title: 'Switch between the 2-D and the 3-D map (drag rotates in 3-D, Shift+drag pans)' }, '3D');
export const homeButton = el('button', { class: 'tool', 'data-testid': 'reset-view', title: 'Fit the whole map in view' }, 'Fit');
export const pngButton = el('button', { class: 'tool', 'data-testid': 'export-png', title: 'Save the current view as a PNG image' }, 'PNG');
export const tsvButton = el('button', { class: 'tool', 'data-testid': 'export-tsv', title: 'Export vectors.tsv + metadata.tsv for the TensorFlow projector' }, 'TSV');
const stage = el('div', { class: 'stage' }, canvas, overlayCanvas, tooltip, empty, el('div', { class: 'toolbar' }, toggle3d, homeButton, pngButton, tsvButton), statusLine);

export const searchBox = el('input', { type: 'search', 'data-testid': 'search', placeholder: 'Search words, or /regex/', spellcheck: 'false', 'aria-label': 'Search words' });
export const isolateBox = el('input', { type: 'checkbox', 'data-testid': 'isolate', id: 'isolate' });
export const searchInfo = el('div', { class: 'hint', 'data-testid': 'search-info' });

export const selectedTitle = el('div', { class: 'selected-word', 'data-testid': 'selected-word' });
export const kInput = el('input', { type: 'number', min: 1, max: 100, 'data-testid': 'neighbor-k', 'aria-label': 'Number of neighbours' });
export const metricSelect = el('select', { 'data-testid': 'metric', 'aria-label': 'Distance' }, el('option', { value: 'cosine' }, 'cosine'), el('option', { value: 'euclidean' }, 'euclidean'));
export const neighborList = el('ol', { class: 'rows', 'data-testid': 'neighbor-list' });
export const neighborInfo = el('div', { class: 'hint', 'data-testid': 'neighbor-info' }, 'Click a point to list its nearest neighbours in the original embedding space.');

export const analogyInputs = (['a', 'b', 'c'] as const).map((name, i) =>
  el('input', { type: 'text', 'data-testid': `analogy-${name}`, placeholder: ['king', 'man', 'woman'][i], spellcheck: 'false', 'aria-label': `analogy ${name}` }),
);
export const analogyGo = el('button', { 'data-testid': 'analogy-go' }, '=');
export const analogyList = el('ol', { class: 'rows', 'data-testid': 'analogy-list' });
export const analogyInfo = el('div', { class: 'hint', 'data-testid': 'analogy-info' });

export const colorSelect = el(
  'select',
  { 'data-testid': 'color-mode', 'aria-label': 'Colour by' },
  el('option', { value: 'frequency' }, 'frequency'),
  el('option', { value: 'kind' }, 'token kind'),
  el('option', { value: 'cluster' }, 'cluster (k-means on the map)'),
);
export const legend = el('div', { class: 'legend', 'data-testid': 'legend' });
export const factsList = el('dl', { class: 'facts', 'data-testid': 'model-facts' });
export const curveCanvas = el('canvas', { class: 'curve', 'data-testid': 'curve' });
export const curveKey = el('div', { class: 'curve-key' }, el('span', { class: 'key loss' }, 'training loss'), el('span', { class: 'key ppl' }, 'validation perplexity'));

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

/** Puts the page together in #app. */
export function mountLayout(): void {
  document.getElementById('app')!.append(stage, sidebar);
}
