import sharp from 'sharp';
import type { SpecificityResult } from './specificity-check.ts';

/**
 * The specificity matrix as a picture: rows are the images' own clusters, columns the
 * dictionaries, each cell coloured by how much worse that dictionary's mean objective is than the
 * row's best (dark = best, pale = 30 % worse or more), the diagonal outlined, and each row's share
 * of images won by its own cluster's dictionary written on the right. Drawn as SVG and rasterised
 * by sharp (librsvg), like the evaluation's plots.
 */
const FONT = 'DejaVu Sans, sans-serif';
const WORST_SHOWN = 0.3;

export async function specificityHeatmapPng(result: SpecificityResult): Promise<Buffer> {
  return sharp(Buffer.from(specificityHeatmapSvg(result)))
    .png()
    .toBuffer();
}

export function specificityHeatmapSvg(result: SpecificityResult): string {
  const n = result.clusters.length;
  const cell = Math.max(10, Math.min(28, Math.floor(560 / Math.max(1, n))));
  const labelWidth = 8 + 7 * Math.max(4, ...result.clusters.map((c) => c.id.length));
  const top = 60 + labelWidth * 0.7;
  const left = labelWidth + 10;
  const sharesWidth = 150;
  const subtitle = `rows: own cluster · columns: dictionary · lambda ${result.lambda} · dark = lowest mean objective of the row`;
  // librsvg does not wrap: the canvas is made wide enough for the longest line (about 0.6 em per character)
  const width = Math.ceil(Math.max(520, left + n * cell + sharesWidth, 20 + subtitle.length * 11 * 0.6));
  const height = top + n * cell + 70;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${Math.ceil(height)}" viewBox="0 0 ${width} ${Math.ceil(height)}"><rect width="100%" height="100%" fill="#fff"/>`,
    text(width / 2, 22, 'CBPDN objective of held-out images with every dictionary', 15, 'middle'),
    text(width / 2, 40, subtitle, 11, 'middle'),
  ];
  result.clusters.forEach((cluster, j) => {
    const x = left + j * cell + cell / 2 + 4;
    parts.push(`<text x="${x}" y="${top - 6}" font-family="${FONT}" font-size="11" transform="rotate(-45 ${x} ${top - 6})">${escapeXml(cluster.id)}</text>`);
  });
  result.rows.forEach((row, r) => {
    const y = top + r * cell;
    parts.push(text(left - 6, y + cell / 2 + 4, row.cluster, 11, 'end'));
    const values = row.meanObjective.filter((v): v is number => v !== null);
    const best = values.length > 0 ? Math.min(...values) : 0;
    row.meanObjective.forEach((value, j) => {
      const fill = value === null || !(best > 0) ? '#eee' : colour(Math.min(1, (value - best) / best / WORST_SHOWN));
      parts.push(`<rect x="${left + j * cell}" y="${y}" width="${cell}" height="${cell}" fill="${fill}"/>`);
    });
    parts.push(`<rect x="${left + r * cell + 1}" y="${y + 1}" width="${cell - 2}" height="${cell - 2}" fill="none" stroke="#d00" stroke-width="2"/>`);
    const share = row.ownClusterBestShare === null ? 'no images' : `${percent(row.ownClusterBestShare)} own best (n ${row.images})`;
    parts.push(text(left + n * cell + 8, y + cell / 2 + 4, share, 11, 'start'));
  });
  const s = result.summary;
  parts.push(
    text(
      10,
      top + n * cell + 24,
      `${s.images} held-out images: own cluster's dictionary best for ${percent(s.ownClusterBestShare)} (chance ${percent(s.chanceCluster)}),`,
      12,
      'start',
    ),
    text(10, top + n * cell + 42, `own class's dictionary best for ${percent(s.ownClassBestShare)} (chance ${percent(s.chanceClass)})`, 12, 'start'),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

/** 0 (best) dark blue to 1 (30 % worse or more) pale yellow. */
function colour(t: number): string {
  const from = [8, 48, 107];
  const to = [255, 247, 188];
  const [r, g, b] = from.map((v, i) => Math.round(v + (to[i] - v) * t));
  return `rgb(${r},${g},${b})`;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(0)} %`;
}

function text(x: number, y: number, content: string, size: number, anchor: 'start' | 'middle' | 'end'): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" text-anchor="${anchor}">${escapeXml(content)}</text>`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
