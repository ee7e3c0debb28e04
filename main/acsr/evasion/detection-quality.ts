/**
 * How well the evasion score separates clean from attacked images, per attack: the ROC curve,
 * its area, the true-positive rate at 1 % and 5 % false positives (thresholds set on these clean
 * images), and the rates at the bundle's own calibrated threshold (what an investigator gets).
 * Meant for held-out test images, never the validation images the calibration was fitted on.
 */
import sharp from 'sharp';
import { type RocPoint, rocAuc, rocCurve, truePositiveRateAt } from './roc.ts';

export interface AttackDetection {
  readonly attack: string;
  /** successfully attacked images scored */
  readonly attacked: number;
  readonly auc: number;
  readonly truePositiveRateAt1: number;
  readonly truePositiveRateAt5: number;
  /** at the calibration's threshold */
  readonly truePositiveRateAtCalibrated: number;
  readonly roc: RocPoint[];
}

export interface DetectionQuality {
  readonly clean: number;
  readonly calibratedThreshold: number;
  readonly falsePositiveTarget: number;
  /** the share of these clean images above the calibrated threshold */
  readonly falsePositiveRateAtCalibrated: number;
  readonly attacks: AttackDetection[];
}

export function detectionQuality(
  clean: readonly number[],
  attackedByName: ReadonlyMap<string, readonly number[]>,
  calibration: { threshold: number; falsePositiveTarget: number },
): DetectionQuality {
  const above = (scores: readonly number[]) => scores.filter((s) => s > calibration.threshold).length / scores.length;
  const attacks: AttackDetection[] = [];
  for (const [attack, scores] of attackedByName) {
    if (scores.length === 0) continue;
    attacks.push({
      attack,
      attacked: scores.length,
      auc: rocAuc(clean, scores),
      truePositiveRateAt1: truePositiveRateAt(clean, scores, 0.01).truePositiveRate,
      truePositiveRateAt5: truePositiveRateAt(clean, scores, 0.05).truePositiveRate,
      truePositiveRateAtCalibrated: above(scores),
      roc: rocCurve(clean, scores).map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : 1 })),
    });
  }
  return {
    clean: clean.length,
    calibratedThreshold: calibration.threshold,
    falsePositiveTarget: calibration.falsePositiveTarget,
    falsePositiveRateAtCalibrated: above(clean),
    attacks,
  };
}

const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#000000'];
const FONT = 'DejaVu Sans, sans-serif';

/** One ROC curve per attack, the chance diagonal, and the 1 % and 5 % false-positive lines. */
export function rocSvg(quality: DetectionQuality, caption: string): string {
  const plot = { left: 70, top: 50, size: 400 };
  // the legend is as wide as its longest attack name (about 7 px a character at 12 px)
  const longestLabel = Math.max(0, ...quality.attacks.map((a) => `${a.attack} (n ${a.attacked})`.length));
  const width = plot.left + plot.size + Math.max(300, 70 + 7 * longestLabel);
  const height = plot.top + plot.size + 70;
  const x = (v: number) => plot.left + plot.size * v;
  const y = (v: number) => plot.top + plot.size * (1 - v);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" font-family="${FONT}" font-size="15" text-anchor="middle">${escapeXml(`Evasion score ROC (${caption})`)}</text>`,
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.size}" height="${plot.size}" fill="none" stroke="#000"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 4"/>`,
  ];
  for (const rate of [0.01, 0.05])
    parts.push(
      `<line x1="${x(rate)}" y1="${y(0)}" x2="${x(rate)}" y2="${y(1)}" stroke="#bbb"/><text x="${x(rate) + 2}" y="${y(0) - 4}" font-family="${FONT}" font-size="9">${rate * 100}%</text>`,
    );
  for (let tick = 0; tick <= 100; tick += 20) {
    parts.push(`<text x="${x(tick / 100)}" y="${y(0) + 16}" font-family="${FONT}" font-size="11" text-anchor="middle">${tick}%</text>`);
    parts.push(`<text x="${plot.left - 6}" y="${y(tick / 100) + 4}" font-family="${FONT}" font-size="11" text-anchor="end">${tick}%</text>`);
  }
  parts.push(
    `<text x="${x(0.5)}" y="${y(0) + 36}" font-family="${FONT}" font-size="12" text-anchor="middle">false-positive rate (clean images flagged)</text>`,
  );
  parts.push(
    `<text x="18" y="${y(0.5)}" font-family="${FONT}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${y(0.5)})">true-positive rate (attacked images flagged)</text>`,
  );
  quality.attacks.forEach((a, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const path = a.roc.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.falsePositiveRate).toFixed(1)},${y(p.truePositiveRate).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const ly = plot.top + 10 + i * 34;
    parts.push(`<line x1="${plot.left + plot.size + 20}" y1="${ly}" x2="${plot.left + plot.size + 44}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(
      `<text x="${plot.left + plot.size + 50}" y="${ly + 4}" font-family="${FONT}" font-size="12">${escapeXml(`${a.attack} (n ${a.attacked})`)}</text>`,
    );
    parts.push(
      `<text x="${plot.left + plot.size + 50}" y="${ly + 18}" font-family="${FONT}" font-size="10">${escapeXml(`AUC ${a.auc.toFixed(3)}, TPR ${pct(a.truePositiveRateAt1)} at 1 %, ${pct(a.truePositiveRateAt5)} at 5 %`)}</text>`,
    );
  });
  parts.push(
    `<text x="${plot.left}" y="${height - 10}" font-family="${FONT}" font-size="10">${escapeXml(`${quality.clean} clean test images; attacked: successful attacks only`)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

export async function rocPng(quality: DetectionQuality, caption: string): Promise<Buffer> {
  return sharp(Buffer.from(rocSvg(quality, caption)))
    .png()
    .toBuffer();
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
