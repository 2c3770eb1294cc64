import { round, summarize, type Summary } from './stats.js';

/**
 * The bench's variants: A no worker (the page sets the header), B the floor (a hand-written worker
 * setting one header), R the route-all floor (B plus a static route sending all but the API to the
 * network), I the IndexedDB floor (B reading its token from IndexedDB once per start), C bearer-sw.
 */
export type Variant = 'A' | 'B' | 'R' | 'I' | 'C';
export const VARIANTS: readonly Variant[] = ['A', 'B', 'R', 'I', 'C'];
export const LABELS: Record<Variant, string> = { A: 'A no worker', B: 'B floor', R: 'R route-all floor', I: 'I IndexedDB floor', C: 'C bearer-sw' };

/** One measure: per variant that takes part, one value per round (ms). */
export interface Measure {
  key: string;
  title: string;
  unit: string;
  /** The floor bearer-sw is held to on this measure, and the target for C / floor. */
  target: { floor: Variant; max: number };
  samples: Partial<Record<Variant, number[]>>;
}

export interface MeasureResult {
  key: string;
  title: string;
  unit: string;
  variants: Partial<Record<Variant, Summary | null>>;
  /**
   * C over each other variant, taken round by round (each round's C over the same round's other
   * variant, measured in alternating blocks), summarized over the rounds: the headline numbers,
   * since they cancel the load that differs from one round to the next.
   */
  pairedRatios: Partial<Record<Variant, Summary | null>>;
  target: { floor: Variant; max: number; value: number | null; met: boolean | null };
}

function paired(numerator: number[] | undefined, denominator: number[] | undefined): Summary | null {
  if (!numerator || !denominator) return null;
  const n = Math.min(numerator.length, denominator.length);
  return summarize(Array.from({ length: n }, (_, i) => numerator[i]! / denominator[i]!));
}

/** Summaries, ratios and the target verdict of one measure. */
export function analyze(measure: Measure): MeasureResult {
  const variants: MeasureResult['variants'] = {};
  const pairedRatios: MeasureResult['pairedRatios'] = {};
  for (const v of VARIANTS) {
    if (!measure.samples[v]) continue;
    variants[v] = summarize(measure.samples[v]);
    if (v !== 'C') pairedRatios[v] = paired(measure.samples.C, measure.samples[v]);
  }
  const value = pairedRatios[measure.target.floor]?.median ?? null;
  return {
    key: measure.key,
    title: measure.title,
    unit: measure.unit,
    variants,
    pairedRatios,
    target: { ...measure.target, value, met: value === null ? null : value <= measure.target.max },
  };
}

const fmt = (value: number | null | undefined, digits = 3) => (value === null || value === undefined ? '—' : round(value, digits).toFixed(digits));

/** The table printed at the end of a run. */
export function formatTable(results: readonly MeasureResult[]): string {
  const lines: string[] = [];
  const header = ['measure', ...VARIANTS.map((v) => LABELS[v]), 'C / floor', 'C / A', 'target'];
  const rows = results.map((r) => {
    const cell = (v: Variant) => {
      const s = r.variants[v];
      return s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '—';
    };
    const ratio = (v: Variant) => {
      const p = r.pairedRatios[v];
      return p ? `${fmt(p.median)} (${fmt(p.min, 2)}–${fmt(p.max, 2)})` : '—';
    };
    const target = `C/${r.target.floor} ≤ ${r.target.max}: ${r.target.met === null ? '—' : r.target.met ? 'met' : 'MISSED'}`;
    return [`${r.title} [${r.unit}]`, ...VARIANTS.map(cell), `${r.target.floor}: ${ratio(r.target.floor)}`, ratio('A'), target];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  lines.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line));
  return lines.join('\n');
}

const COLORS: Record<Variant, string> = { A: '#8c8c8c', B: '#4c78a8', R: '#72b7b2', I: '#54a24b', C: '#f58518' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A small-multiples bar chart: one panel per measure, a bar per variant at its median with a
 * min–max whisker, C over the measure's floor and C/A under each panel.
 */
export function renderSvg(results: readonly MeasureResult[], subtitle: string): string {
  const panelWidth = 190;
  const panelHeight = 220;
  const top = 70;
  const left = 20;
  const width = left * 2 + panelWidth * results.length;
  const height = top + panelHeight + 60;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="600">bearer-sw benchmark: bars median over rounds, whiskers min–max; ratios round by round</text>`,
    `<text x="${left}" y="40" fill="#555">${escapeXml(subtitle)}</text>`,
  );
  VARIANTS.forEach((v, i) => {
    const x = left + i * 150;
    parts.push(`<rect x="${x}" y="50" width="10" height="10" fill="${COLORS[v]}"/><text x="${x + 14}" y="59">${LABELS[v]}</text>`);
  });
  results.forEach((r, p) => {
    const x0 = left + p * panelWidth;
    const present = VARIANTS.filter((v) => r.variants[v]);
    const maxValue = Math.max(...present.map((v) => r.variants[v]!.max)) * 1.1 || 1;
    const plotTop = top + 30;
    const plotHeight = panelHeight - 50;
    const y = (value: number) => plotTop + plotHeight - (value / maxValue) * plotHeight;
    parts.push(`<text x="${x0 + 10}" y="${top + 10}" font-weight="600">${escapeXml(r.title)}</text>`);
    parts.push(`<text x="${x0 + 10}" y="${top + 24}" fill="#555">${escapeXml(r.unit)}</text>`);
    parts.push(`<line x1="${x0 + 10}" y1="${plotTop + plotHeight}" x2="${x0 + panelWidth - 20}" y2="${plotTop + plotHeight}" stroke="#999"/>`);
    const barWidth = 28;
    present.forEach((v, i) => {
      const s = r.variants[v]!;
      const bx = x0 + 20 + i * (barWidth + 12);
      const cx = bx + barWidth / 2;
      parts.push(
        `<rect x="${bx}" y="${y(s.median)}" width="${barWidth}" height="${plotTop + plotHeight - y(s.median)}" fill="${COLORS[v]}"/>`,
        `<line x1="${cx}" y1="${y(s.min)}" x2="${cx}" y2="${y(s.max)}" stroke="#222"/>`,
        `<line x1="${cx - 6}" y1="${y(s.min)}" x2="${cx + 6}" y2="${y(s.min)}" stroke="#222"/>`,
        `<line x1="${cx - 6}" y1="${y(s.max)}" x2="${cx + 6}" y2="${y(s.max)}" stroke="#222"/>`,
        `<text x="${cx}" y="${y(s.max) - 4}" text-anchor="middle">${fmt(s.median, s.median < 10 ? 2 : 0)}</text>`,
        `<text x="${cx}" y="${plotTop + plotHeight + 14}" text-anchor="middle">${v}</text>`,
      );
    });
    const ratioLine = [`C/${r.target.floor} ${fmt(r.pairedRatios[r.target.floor]?.median, 2)}`, `C/A ${fmt(r.pairedRatios.A?.median, 2)}`].join('   ');
    parts.push(`<text x="${x0 + 10}" y="${plotTop + plotHeight + 34}">${ratioLine}</text>`);
    const color = r.target.met ? '#2a7d2a' : '#b22222';
    parts.push(
      `<text x="${x0 + 10}" y="${plotTop + plotHeight + 50}" fill="${color}">target C/${r.target.floor} ≤ ${r.target.max}: ${r.target.met ? 'met' : 'missed'}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
