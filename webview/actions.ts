// What the user's input and the extension's messages both set going: selecting a word (which
// asks the extension for its neighbours), listing scored words, an analogy, a projection
// request, and applying the search.
import type { Metric, ScoredWord } from '../src/mapMessages';
import { el, formatInt, setChildren } from './dom';
import { analogyInfo, analogyInputs, neighborInfo, neighborList, searchInfo, selectedTitle } from './layout';
import { matchMask, parseQuery } from './search';
import { data, find, post, save, state } from './state';
import { centreOn, requestDraw, updateStatus } from './view';

export function select(i: number | undefined, recentre = false): void {
  const { words } = data;
  data.selected = i;
  data.neighbors = [];
  state.selected = i === undefined ? undefined : words[i];
  save();
  setChildren(neighborList);
  if (i === undefined) {
    setChildren(selectedTitle);
    neighborInfo.textContent = 'Click a point to list its nearest neighbours in the original embedding space.';
    requestDraw();
    return;
  }
  setChildren(selectedTitle, el('span', { class: 'word' }, words[i]), el('span', { class: 'count' }, `${formatInt(data.counts[i])}× · ${data.kinds[i]}`));
  neighborInfo.textContent = 'Asking the model…';
  data.neighborSeq = ++data.seq;
  post({ type: 'neighbors', seq: data.neighborSeq, word: words[i], k: state.k, metric: state.metric });
  if (recentre) centreOn(i);
  requestDraw();
}

/** Lists scored words (click selects, hover highlights); returns the map indices of those on the map. */
export function showRows(list: HTMLOListElement, items: ScoredWord[], testid: string, metric: Metric | 'analogy'): number[] {
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
        row.addEventListener('mouseenter', () => ((data.hovered = i), requestDraw()));
        row.addEventListener('mouseleave', () => ((data.hovered = undefined), requestDraw()));
      }
      return row;
    }),
  );
  return found;
}

export function runAnalogy(): void {
  const [a, b, c] = analogyInputs.map((input) => input.value.trim());
  state.analogy = [a, b, c];
  save();
  if (!a || !b || !c) {
    analogyInfo.textContent = 'Fill in all three words: a − b + c.';
    return;
  }
  analogyInfo.textContent = 'Asking the model…';
  data.analogySeq = ++data.seq;
  post({ type: 'analogy', seq: data.analogySeq, a, b, c, k: 10 });
}

export function requestProjection(): void {
  if (!data.words.length || data.finalByDims[state.dims]) return;
  data.projectionStarted = performance.now();
  data.progress[state.dims] = 'projecting…';
  updateStatus();
  post({ type: 'project', dims: state.dims });
}

export function applySearch(): void {
  const matcher = parseQuery(state.query);
  searchInfo.classList.toggle('error', matcher?.error !== undefined);
  if (!matcher || matcher.error !== undefined) {
    data.matches = undefined;
    searchInfo.textContent = matcher?.error ?? 'Plain text matches anywhere in a word; /^get/i is a regular expression.';
  } else {
    data.matches = matchMask(data.words, matcher);
    searchInfo.textContent = `${formatInt(data.matches.count)} of ${formatInt(data.words.length)} words match`;
  }
  requestDraw();
}
