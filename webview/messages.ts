// Messages from the extension: each checked by mapMessages' validator (a bad one is logged
// back, never acted on), then applied to the page's state and view.
import { frameCoords, parseToWebview, type ToWebview } from '../src/mapMessages';
import { applySearch, requestProjection, select, showRows } from './actions';
import { el, setChildren } from './dom';
import { analogyInfo, analogyList, empty, neighborInfo, neighborList, statusLine } from './layout';
import { data, find, post, state } from './state';
import { centreOn, draw, recolor, renderFacts, requestDraw } from './view';

export function listenToExtension(): void {
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
}

function receive(message: ToWebview): void {
  switch (message.type) {
    case 'info': {
      data.words = message.words;
      data.counts = message.counts;
      data.kinds = message.kinds;
      data.facts = message.facts;
      data.curve = message.curve;
      const { indexOf } = data;
      indexOf.clear();
      data.words.forEach((w, i) => {
        if (!indexOf.has(w)) indexOf.set(w, i);
        const lower = w.toLowerCase();
        if (!indexOf.has(lower)) indexOf.set(lower, i);
      });
      data.coordsByDims[2] = data.coordsByDims[3] = undefined;
      data.progress = { 2: '', 3: '' };
      data.finalByDims = { 2: false, 3: false };
      // Indices of an older model mean nothing now; the selected word is looked up again.
      data.selected = data.hovered = undefined;
      data.neighbors = [];
      data.analogy = { operands: [], results: [] };
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
      const coords = frameCoords(message);
      if (coords.length / message.dims !== data.words.length) return; // a frame of an older model
      data.coordsByDims[message.dims] = coords; // the renderer uploads it once, when it first draws it
      data.finalByDims[message.dims] = message.cached || message.epoch >= message.epochs;
      const seconds = ((performance.now() - data.projectionStarted) / 1000).toFixed(1);
      data.progress[message.dims] = message.cached
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
        if (data.selected === undefined && state.selected !== undefined) {
          const i = find(state.selected);
          if (i !== undefined) select(i);
        }
        requestDraw();
        if (data.pendingCentre !== undefined && data.finalByDims[message.dims]) {
          draw();
          centreOn(data.pendingCentre);
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
      if (message.seq !== data.neighborSeq) return; // an answer to an older click
      if (!message.known) {
        neighborInfo.textContent = `“${message.word}” is not in the model's vocabulary.`;
        return;
      }
      neighborInfo.textContent = `${message.neighbors.length} nearest by ${message.metric === 'cosine' ? 'cosine similarity' : 'euclidean distance'} in the ${data.facts?.dim ?? ''}-D embedding space`;
      data.neighbors = showRows(neighborList, message.neighbors, 'neighbor-row', message.metric);
      requestDraw();
      return;
    }
    case 'analogy': {
      if (message.seq !== data.analogySeq) return;
      if (message.unknown.length) {
        analogyInfo.textContent = `Not in the vocabulary: ${message.unknown.join(', ')}`;
        setChildren(analogyList);
        data.analogy = { operands: [], results: [] };
      } else {
        const [a, b, c] = state.analogy;
        analogyInfo.textContent = `${a} − ${b} + ${c} ≈`;
        data.analogy = { operands: state.analogy.map(find).filter((i): i is number => i !== undefined), results: showRows(analogyList, message.results, 'analogy-row', 'analogy') };
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
      if (message.seq !== undefined && message.seq === data.neighborSeq) neighborInfo.textContent = message.message;
      else if (message.seq !== undefined && message.seq === data.analogySeq) analogyInfo.textContent = message.message;
      else statusLine.textContent = message.message;
      return;
  }
}
