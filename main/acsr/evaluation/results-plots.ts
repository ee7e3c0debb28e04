/**
 * The evaluation's two pictures, drawn as SVG and rasterised by sharp (librsvg), so no plotting
 * library or browser is needed: accuracy bars per attack with 95 % intervals (one bar per defense),
 * and accuracy against the attack budget for attacks run at several budgets.
 */
import sharp from 'sharp';
import { normalisationOf } from '../attacks/budget-description.ts';
import type { Proportion } from './confidence-interval.ts';
import { BPDA_ROW, type EvaluationResults } from './evaluation-results.ts';

// Colour-blind-safe (Okabe-Ito), then greys; ACSR, the defense the reader looks for, is always red.
const PALETTE = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999', '#666666', '#333333'];
const ACSR_COLOUR = '#C00000';

function colourOf(defense: string, index: number): string {
  return defense === 'acsr' ? ACSR_COLOUR : PALETTE[index % PALETTE.length];
}
const FONT = 'DejaVu Sans, sans-serif';

export async function accuracyBarsPng(results: EvaluationResults): Promise<Buffer> {
  return sharp(Buffer.from(accuracyBarsSvg(results)))
    .png()
    .toBuffer();
}

export function accuracyBarsSvg(results: EvaluationResults): string {
  const defenses = results.setup.defenses.map((d) => d.name);
  const rows = results.rows;
  const barWidth = 14;
  const groupWidth = defenses.length * barWidth + 24;
  const plot = { left: 60, top: 40, height: 300 };
  // At least as wide as the title and the budget note, which a small evaluation (two rows) would otherwise clip.
  const width = Math.max(plot.left + rows.length * groupWidth + 180, 720);
  // Row labels are drawn rotated by 30 degrees: a long one (cw-dis:0.04:steps=50:binary=5) reaches far down.
  const labelDrop = 30 + Math.max(0, ...rows.map((row) => (row === BPDA_ROW ? 4 : row.length))) * 6.5 * 0.5;
  const noteTop = plot.top + plot.height + Math.max(90, labelDrop + 20);
  const height = noteTop + BUDGET_NOTE.length * 14;
  const y = (v: number) => plot.top + plot.height * (1 - v);
  const parts: string[] = [svgOpen(width, height), title('Accuracy under attack, per defense (95 % Wilson intervals)', width), yAxis(plot, y)];
  rows.forEach((row, r) => {
    const x0 = plot.left + r * groupWidth + 12;
    defenses.forEach((defense, d) => {
      const cell = results.cells.find((c) => c.row === row && c.defense === defense);
      if (!cell || Number.isNaN(cell.accuracy.value)) return;
      const x = x0 + d * barWidth;
      parts.push(
        `<rect x="${x}" y="${y(cell.accuracy.value)}" width="${barWidth - 2}" height="${plot.top + plot.height - y(cell.accuracy.value)}" fill="${colourOf(defense, d)}"/>`,
      );
      parts.push(whisker(x + (barWidth - 2) / 2, y, cell.accuracy));
    });
    const label = row === BPDA_ROW ? 'BPDA' : row;
    parts.push(
      `<text x="${x0 + (defenses.length * barWidth) / 2}" y="${plot.top + plot.height + 16}" font-family="${FONT}" font-size="11" text-anchor="end" transform="rotate(-30 ${x0 + (defenses.length * barWidth) / 2} ${plot.top + plot.height + 16})">${escapeXml(label)}</text>`,
    );
  });
  parts.push(legend(defenses, plot.left + rows.length * groupWidth + 16, plot.top));
  parts.push(budgetNote(noteTop));
  parts.push('</svg>');
  return parts.join('\n');
}

/** Under the bars: how each attack name's budget is measured (the names carry only the number). */
const BUDGET_NOTE = [
  "Budgets (pixels in [0, 1]): -dis = L2 dissimilarity ||x'-x||_2 / ||x||_2 (the paper's; deepfool-dis, cw-dis count only below it);",
  "fgsm, bim, pgd = per-pixel L2 ||x'-x||_2 / sqrt(H W C); -linf = max |x'-x|; deepfool, cw = minimal-norm, no budget.",
];

function budgetNote(top: number): string {
  return BUDGET_NOTE.map((line, i) => `<text x="8" y="${top + i * 14}" font-family="${FONT}" font-size="10" fill="#333">${escapeXml(line)}</text>`).join('\n');
}

/** Attack families (the part of a name before ':') run at two or more budgets. */
export function budgetSeries(results: EvaluationResults): { family: string; points: { epsilon: number; row: string }[] }[] {
  const families = new Map<string, { epsilon: number; row: string }[]>();
  for (const attack of results.setup.attacks) {
    if (!attack.budget) continue;
    const family = `${attack.name.split(':')[0]} (${normalisationOf(attack.budget.norm)})`;
    families.set(family, [...(families.get(family) ?? []), { epsilon: attack.budget.epsilon, row: attack.name }]);
  }
  return [...families.entries()]
    .filter(([, points]) => points.length >= 2)
    .map(([family, points]) => ({ family, points: points.sort((a, b) => a.epsilon - b.epsilon) }));
}

export async function accuracyVsBudgetPng(results: EvaluationResults): Promise<Buffer | null> {
  const svg = accuracyVsBudgetSvg(results);
  return svg === null ? null : sharp(Buffer.from(svg)).png().toBuffer();
}

export function accuracyVsBudgetSvg(results: EvaluationResults): string | null {
  const series = budgetSeries(results);
  if (series.length === 0) return null;
  const defenses = results.setup.defenses.map((d) => d.name);
  const panel = { width: 320, height: 260 };
  const margin = { left: 60, top: 40, gap: 60 };
  const width = margin.left + series.length * (panel.width + margin.gap) + 160;
  const height = margin.top + panel.height + 70;
  const parts = [svgOpen(width, height), title('Accuracy against attack budget (0 = clean)', width)];
  series.forEach(({ family, points }, s) => {
    const left = margin.left + s * (panel.width + margin.gap);
    const maxEps = points.at(-1)!.epsilon;
    const x = (eps: number) => left + (panel.width * eps) / maxEps;
    const y = (v: number) => margin.top + panel.height * (1 - v);
    parts.push(yAxis({ left, top: margin.top, height: panel.height }, y));
    parts.push(`<line x1="${left}" y1="${y(0)}" x2="${left + panel.width}" y2="${y(0)}" stroke="#000"/>`);
    for (const eps of [0, ...points.map((p) => p.epsilon)]) {
      parts.push(`<text x="${x(eps)}" y="${y(0) + 16}" font-family="${FONT}" font-size="11" text-anchor="middle">${eps}</text>`);
    }
    parts.push(
      `<text x="${left + panel.width / 2}" y="${y(0) + 36}" font-family="${FONT}" font-size="12" text-anchor="middle">${escapeXml(family)} budget</text>`,
    );
    defenses.forEach((defense, d) => {
      const at = (row: string) => results.cells.find((c) => c.row === row && c.defense === defense)?.accuracy.value;
      const coords = [{ eps: 0, v: at('clean') }, ...points.map((p) => ({ eps: p.epsilon, v: at(p.row) }))].filter(
        (c): c is { eps: number; v: number } => c.v !== undefined && !Number.isNaN(c.v),
      );
      if (coords.length < 2) return;
      const colour = colourOf(defense, d);
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${coords.map((c) => `${x(c.eps)},${y(c.v)}`).join(' ')}"/>`);
      for (const c of coords) parts.push(`<circle cx="${x(c.eps)}" cy="${y(c.v)}" r="3" fill="${colour}"/>`);
    });
  });
  parts.push(legend(defenses, margin.left + series.length * (panel.width + margin.gap) - 20, margin.top));
  parts.push('</svg>');
  return parts.join('\n');
}

function svgOpen(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#fff"/>`;
}

function title(text: string, width: number): string {
  return `<text x="${width / 2}" y="22" font-family="${FONT}" font-size="15" text-anchor="middle">${escapeXml(text)}</text>`;
}

function yAxis(plot: { left: number; top: number; height: number }, y: (v: number) => number): string {
  const parts = [`<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.top + plot.height}" stroke="#000"/>`];
  for (let tick = 0; tick <= 100; tick += 20) {
    parts.push(`<text x="${plot.left - 6}" y="${y(tick / 100) + 4}" font-family="${FONT}" font-size="11" text-anchor="end">${tick}%</text>`);
    parts.push(`<line x1="${plot.left}" y1="${y(tick / 100)}" x2="${plot.left + 4}" y2="${y(tick / 100)}" stroke="#000"/>`);
  }
  return parts.join('\n');
}

function whisker(x: number, y: (v: number) => number, p: Proportion): string {
  return `<line x1="${x}" y1="${y(p.ci95[0])}" x2="${x}" y2="${y(p.ci95[1])}" stroke="#444" stroke-width="1"/>`;
}

function legend(names: readonly string[], left: number, top: number): string {
  return names
    .map(
      (name, i) =>
        `<rect x="${left}" y="${top + i * 18}" width="12" height="12" fill="${colourOf(name, i)}"/>` +
        `<text x="${left + 18}" y="${top + i * 18 + 10}" font-family="${FONT}" font-size="12">${escapeXml(name)}</text>`,
    )
    .join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
