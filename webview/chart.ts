// The training curve: loss per step (left axis) and validation perplexity (right axis).
import type { CurvePoint } from '../src/mapMessages';

export interface ChartColors {
  foreground: string;
  muted: string;
  loss: string;
  ppl: string;
  font: string;
}

export function drawCurve(canvas: HTMLCanvasElement, curve: readonly CurvePoint[], colors: ChartColors): void {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 280;
  const cssH = canvas.clientHeight || 140;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  ctx.font = `10px ${colors.font}`;
  ctx.fillStyle = colors.muted;
  if (curve.length === 0) {
    ctx.fillText('No training curve in this model.', 8, cssH / 2);
    return;
  }
  const pad = { l: 34, r: 34, t: 8, b: 18 };
  const pw = cssW - pad.l - pad.r;
  const ph = cssH - pad.t - pad.b;
  const steps = curve.map((p) => p.step);
  const s0 = Math.min(...steps);
  const s1 = Math.max(s0 + 1, ...steps);
  const losses = curve.map((p) => p.loss);
  const [l0, l1] = niceRange(Math.min(...losses), Math.max(...losses));
  const ppls = curve.filter((p) => p.validPpl !== undefined).map((p) => p.validPpl!);
  const [p0, p1] = ppls.length ? niceRange(Math.min(...ppls), Math.max(...ppls)) : [0, 1];
  const x = (s: number) => pad.l + ((s - s0) / (s1 - s0)) * pw;
  const yL = (v: number) => pad.t + ph - ((v - l0) / (l1 - l0)) * ph;
  const yP = (v: number) => pad.t + ph - ((v - p0) / (p1 - p0)) * ph;

  ctx.strokeStyle = colors.muted;
  ctx.globalAlpha = 0.35;
  ctx.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const y = pad.t + (ph * k) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, y);
    ctx.lineTo(pad.l + pw, y);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.textBaseline = 'middle';
  for (let k = 0; k <= 4; k++) {
    const y = pad.t + (ph * k) / 4;
    ctx.fillStyle = colors.loss;
    ctx.textAlign = 'right';
    ctx.fillText(short(l1 - ((l1 - l0) * k) / 4), pad.l - 4, y);
    if (ppls.length) {
      ctx.fillStyle = colors.ppl;
      ctx.textAlign = 'left';
      ctx.fillText(short(p1 - ((p1 - p0) * k) / 4), pad.l + pw + 4, y);
    }
  }
  ctx.fillStyle = colors.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(`step ${short(Math.round(s0), true)}`, pad.l + 18, pad.t + ph + 4);
  ctx.fillText(short(Math.round(s1), true), pad.l + pw - 10, pad.t + ph + 4);

  ctx.lineWidth = 1.5;
  ctx.strokeStyle = colors.loss;
  ctx.beginPath();
  curve.forEach((p, i) => (i ? ctx.lineTo(x(p.step), yL(p.loss)) : ctx.moveTo(x(p.step), yL(p.loss))));
  ctx.stroke();
  if (ppls.length) {
    ctx.strokeStyle = colors.ppl;
    ctx.fillStyle = colors.ppl;
    ctx.beginPath();
    let first = true;
    for (const p of curve) {
      if (p.validPpl === undefined) continue;
      if (first) ctx.moveTo(x(p.step), yP(p.validPpl));
      else ctx.lineTo(x(p.step), yP(p.validPpl));
      first = false;
    }
    ctx.stroke();
    for (const p of curve) {
      if (p.validPpl === undefined) continue;
      ctx.beginPath();
      ctx.arc(x(p.step), yP(p.validPpl), 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}

function niceRange(lo: number, hi: number): [number, number] {
  if (hi - lo < 1e-9) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function short(v: number, integer = false): string {
  const a = Math.abs(v);
  if (integer && a < 1e4) return String(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
