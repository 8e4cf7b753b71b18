// The user's input on the map page: the sidebar's controls, pointer and wheel on the canvas
// (pan, rotate in 3-D, zoom about the cursor, hover, click to select, double-click to centre),
// keys, and redraws on resize and theme changes.
import { applySearch, requestProjection, runAnalogy, select } from './actions';
import { el, formatInt, setChildren } from './dom';
import { analogyGo, analogyInputs, canvas, colorSelect, factsList, homeButton, isolateBox, kInput, metricSelect, pngButton, searchBox, toggle3d, tooltip, tsvButton } from './layout';
import { HOME_VIEW, type View } from './viewMath';
import { data, post, save, state } from './state';
import { centreOn, draw, recolor, renderFacts, renderer, requestDraw } from './view';

let searchTimer: ReturnType<typeof setTimeout> | undefined;
let drag: { x: number; y: number; moved: boolean; view: View; pan: boolean } | undefined;

/** Shows the saved choices in the controls and starts listening. */
export function bindInput(): void {
  bindControls();
  bindCanvas();
  bindPage();
}

/** The sidebar's controls and the toolbar. */
function bindControls(): void {
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
    if (e.key === 'Enter' && data.matches && data.matches.count > 0) {
      const i = data.matches.mask.indexOf(1);
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
    if (data.selected !== undefined) select(data.selected);
  });
  metricSelect.addEventListener('change', () => {
    state.metric = metricSelect.value === 'euclidean' ? 'euclidean' : 'cosine';
    save();
    if (data.selected !== undefined) select(data.selected);
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
    post({ type: 'exportPng', dataUrl: renderer.toPng() });
  });
  tsvButton.addEventListener('click', () => post({ type: 'exportTsv' }));
}

/** Pointer and wheel on the map: pan, rotate, zoom, hover, select, centre. */
function bindCanvas(): void {
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
    if (i !== data.hovered) {
      data.hovered = i;
      requestDraw();
    }
    if (i === undefined) {
      tooltip.hidden = true;
      return;
    }
    setChildren(tooltip, el('div', { class: 'word' }, data.words[i]), el('div', { class: 'count' }, `${formatInt(data.counts[i])}× · ${data.kinds[i]} · #${formatInt(i + 1)}`));
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
    if (data.hovered !== undefined) {
      data.hovered = undefined;
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
}

/** Keys anywhere on the page, resizes and theme changes. */
function bindPage(): void {
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
    if (data.facts) renderFacts(factsList.title, String(factsList.querySelector('dd')?.textContent ?? ''));
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
