/**
 * Two small inline-SVG charts for reports: a line chart (learning curves) and a grouped
 * bar chart with interval whiskers. No dependencies; output is deterministic text.
 */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number): string => (Math.round(x * 10) / 10).toString();

export interface Series {
  name: string;
  points: Array<{ x: number; y: number }>;
}

export function lineChart(series: readonly Series[], opts: { title: string; xLabel: string; yLabel: string; width?: number; height?: number }): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 320;
  const m = { l: 56, r: 150, t: 30, b: 44 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const x0 = pts.length ? Math.min(...pts.map((p) => p.x)) : 0;
  const x1 = pts.length ? Math.max(...pts.map((p) => p.x)) : 1;
  const y0 = 0;
  const y1 = pts.length ? Math.max(...pts.map((p) => p.y)) * 1.05 || 1 : 1;
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.title)}">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-family="sans-serif">${esc(opts.title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    parts.push(`<text x="${m.l - 6}" y="${f(sy(y) + 4)}" text-anchor="end" font-size="10" font-family="sans-serif">${y.toPrecision(3)}</text>`);
    const x = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<text x="${f(sx(x))}" y="${H - m.b + 14}" text-anchor="middle" font-size="10" font-family="sans-serif">${Math.round(x)}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="11" font-family="sans-serif">${esc(opts.xLabel)}</text>`);
  parts.push(`<text x="14" y="${H / 2}" text-anchor="middle" font-size="11" font-family="sans-serif" transform="rotate(-90 14 ${H / 2})">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const ps = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (ps.length) parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.8" points="${ps.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ')}"/>`);
    parts.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 18}" width="12" height="3" fill="${c}"/>`,
      `<text x="${W - m.r + 30}" y="${m.t + i * 18 + 5}" font-size="11" font-family="sans-serif">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface BarGroup {
  label: string;
  bars: Array<{ name: string; value: number; lo?: number; hi?: number }>;
}

/** Grouped bars in 0..1 (shown as %), whiskers for intervals. */
export function barChart(groups: readonly BarGroup[], opts: { title: string; yLabel: string; width?: number; height?: number }): string {
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const W = opts.width ?? Math.max(480, 80 + groups.length * (names.length * 22 + 30) + 160);
  const H = opts.height ?? 320;
  const m = { l: 48, r: 160, t: 30, b: 60 };
  const gw = (W - m.l - m.r) / Math.max(1, groups.length);
  const bw = Math.min(22, (gw - 12) / Math.max(1, names.length));
  const sy = (y: number): number => H - m.b - Math.max(0, Math.min(1, y)) * (H - m.t - m.b);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.title)}">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-family="sans-serif">${esc(opts.title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`];
  for (let i = 0; i <= 4; i++) {
    const y = i / 4;
    parts.push(`<line x1="${m.l}" y1="${f(sy(y))}" x2="${W - m.r}" y2="${f(sy(y))}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${f(sy(y) + 4)}" text-anchor="end" font-size="10" font-family="sans-serif">${i * 25}%</text>`);
  }
  parts.push(`<text x="14" y="${H / 2}" text-anchor="middle" font-size="11" font-family="sans-serif" transform="rotate(-90 14 ${H / 2})">${esc(opts.yLabel)}</text>`);
  groups.forEach((g, gi) => {
    const gx = m.l + gi * gw + 6;
    g.bars.forEach((b) => {
      const bi = names.indexOf(b.name);
      const c = PALETTE[bi % PALETTE.length];
      const x = gx + bi * bw;
      const v = Number.isFinite(b.value) ? b.value : 0;
      parts.push(`<rect x="${f(x)}" y="${f(sy(v))}" width="${f(bw - 2)}" height="${f(sy(0) - sy(v))}" fill="${c}"><title>${esc(`${g.label} ${b.name}: ${(v * 100).toFixed(1)}%`)}</title></rect>`);
      if (b.lo !== undefined && b.hi !== undefined && Number.isFinite(b.lo) && Number.isFinite(b.hi)) {
        const cx = x + (bw - 2) / 2;
        parts.push(`<line x1="${f(cx)}" y1="${f(sy(b.lo))}" x2="${f(cx)}" y2="${f(sy(b.hi))}" stroke="#222"/>`,
          `<line x1="${f(cx - 3)}" y1="${f(sy(b.lo))}" x2="${f(cx + 3)}" y2="${f(sy(b.lo))}" stroke="#222"/>`,
          `<line x1="${f(cx - 3)}" y1="${f(sy(b.hi))}" x2="${f(cx + 3)}" y2="${f(sy(b.hi))}" stroke="#222"/>`);
      }
    });
    parts.push(`<text x="${f(gx + (names.length * bw) / 2)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11" font-family="sans-serif">${esc(g.label)}</text>`);
  });
  names.forEach((n, i) => {
    parts.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 18 - 8}" width="12" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text x="${W - m.r + 30}" y="${m.t + i * 18 + 1}" font-size="11" font-family="sans-serif">${esc(n)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
