import { round, summarize, type Summary } from './stats.js';

export type Variant = 'A' | 'B' | 'C';
export const VARIANTS: readonly Variant[] = ['A', 'B', 'C'];

/** One measure: per variant, one value per round (ms). */
export interface Measure {
  key: string;
  title: string;
  unit: string;
  /** Which ratio the target applies to, and the target. */
  target: { ratio: 'C/B' | 'C/A'; max: number } | null;
  samples: Partial<Record<Variant, number[]>>;
}

export interface MeasureResult {
  key: string;
  title: string;
  unit: string;
  variants: Partial<Record<Variant, Summary | null>>;
  /** Ratios of the medians across rounds. */
  ratios: { 'C/B': number | null; 'C/A': number | null; 'B/A': number | null };
  /**
   * The ratios taken round by round (each round's C over the same round's B or A, measured in
   * alternating blocks), summarized over the rounds: the headline numbers, since they cancel the
   * load that differs from one round to the next.
   */
  pairedRatios: { 'C/B': Summary | null; 'C/A': Summary | null; 'B/A': Summary | null };
  target: { ratio: 'C/B' | 'C/A'; max: number; value: number | null; met: boolean | null } | null;
}

function paired(numerator: number[] | undefined, denominator: number[] | undefined): Summary | null {
  if (!numerator || !denominator) return null;
  const n = Math.min(numerator.length, denominator.length);
  return summarize(Array.from({ length: n }, (_, i) => numerator[i]! / denominator[i]!));
}

/** Summaries, ratios and target verdicts of one measure. */
export function analyze(measure: Measure): MeasureResult {
  const variants: MeasureResult['variants'] = {};
  for (const v of VARIANTS) if (measure.samples[v]) variants[v] = summarize(measure.samples[v]);
  const ratio = (a: Variant, b: Variant) => {
    const x = variants[a]?.median;
    const y = variants[b]?.median;
    return x === undefined || y === undefined ? null : x / y;
  };
  const ratios = { 'C/B': ratio('C', 'B'), 'C/A': ratio('C', 'A'), 'B/A': ratio('B', 'A') };
  const pairedRatios = {
    'C/B': paired(measure.samples.C, measure.samples.B),
    'C/A': paired(measure.samples.C, measure.samples.A),
    'B/A': paired(measure.samples.B, measure.samples.A),
  };
  let target: MeasureResult['target'] = null;
  if (measure.target) {
    const value = pairedRatios[measure.target.ratio]?.median ?? ratios[measure.target.ratio];
    target = { ...measure.target, value, met: value === null ? null : value <= measure.target.max };
  }
  return {
    key: measure.key,
    title: measure.title,
    unit: measure.unit,
    variants,
    ratios,
    pairedRatios,
    target,
  };
}

const fmt = (value: number | null | undefined, digits = 3) => (value === null || value === undefined ? '—' : round(value, digits).toFixed(digits));

/** The table printed at the end of a run. */
export function formatTable(results: readonly MeasureResult[]): string {
  const lines: string[] = [];
  const header = ['measure', 'A no worker', 'B floor', 'C bearer-sw', 'C/B', 'C/A', 'B/A', 'target'];
  const rows = results.map((r) => {
    const cell = (v: Variant) => {
      const s = r.variants[v];
      return s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '—';
    };
    const ratio = (key: 'C/B' | 'C/A' | 'B/A') => {
      const p = r.pairedRatios[key];
      return p ? `${fmt(p.median)} (${fmt(p.min, 2)}–${fmt(p.max, 2)})` : '—';
    };
    const target = r.target ? `${r.target.ratio} ≤ ${r.target.max}: ${r.target.met ? 'met' : 'MISSED'}` : '';
    return [`${r.title} [${r.unit}]`, cell('A'), cell('B'), cell('C'), ratio('C/B'), ratio('C/A'), ratio('B/A'), target];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  lines.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line));
  return lines.join('\n');
}

const COLORS: Record<Variant, string> = { A: '#8c8c8c', B: '#4c78a8', C: '#f58518' };
const LABELS: Record<Variant, string> = { A: 'A no worker', B: 'B floor worker', C: 'C bearer-sw' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A small-multiples bar chart: one panel per measure, a bar per variant at its median with a
 * min–max whisker, the C/B and C/A ratios under each panel.
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
    const x = left + i * 140;
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
    const barWidth = 36;
    present.forEach((v, i) => {
      const s = r.variants[v]!;
      const bx = x0 + 20 + i * (barWidth + 16);
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
    const ratioLine = [`C/B ${fmt(r.pairedRatios['C/B']?.median, 2)}`, `C/A ${fmt(r.pairedRatios['C/A']?.median, 2)}`].join('   ');
    parts.push(`<text x="${x0 + 10}" y="${plotTop + plotHeight + 34}">${ratioLine}</text>`);
    if (r.target) {
      const color = r.target.met ? '#2a7d2a' : '#b22222';
      parts.push(
        `<text x="${x0 + 10}" y="${plotTop + plotHeight + 50}" fill="${color}">target ${r.target.ratio} ≤ ${r.target.max}: ${r.target.met ? 'met' : 'missed'}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
