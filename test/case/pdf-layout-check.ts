/**
 * Finds clipped or overflowing text in a PDF the way a reader would see it, with poppler:
 * - clipped: every page is rendered twice with pdftoppm, as written and with its clipping paths
 *   removed; any ink that appears only without them was cut off on the page. (Clipping is the
 *   only way a PDF hides part of a glyph, and a viewer's substitute for a built-in font can draw
 *   taller glyphs than the font's metrics promise, so the pixels are the judge, not the metrics.)
 * - overflowing: the thin ruled lines (cell borders, rules under headings) are found in the
 *   pixels and every word's box from `pdftotext -bbox-layout` is checked against them and against
 *   the page margins: a border through a word is text spilling across its cell's edge.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Rendering resolution: 0.5 pt borders are one pixel wide, words are 10+ pixels high. */
const DPI = 144;
const SCALE = DPI / 72;
/** A pixel darker than this is ink or a line; the table's shaded backgrounds are lighter. */
const INK = 225;
/** Lighter than this counts as background beside a line (shaded cells are #eeeeee and #f4f4f4). */
const PAPER = 234;
/** Shortest run that counts as a ruled line, in pixels (about 12 pt: longer than any glyph stroke). */
const MIN_LINE = 24;

export interface WordBox {
  page: number;
  text: string;
  /** Points, origin at the page's top left. */
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface LayoutProblem {
  page: number;
  word: string;
  reason: string;
}

interface Segment {
  /** The line's position across its length (y for horizontal lines, x for vertical ones), pixels. */
  at: number;
  from: number;
  to: number;
}

export function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

/** Every word of the PDF with its box, from poppler's text layout. */
export function wordBoxes(pdfPath: string): { pages: { width: number; height: number }[]; words: WordBox[] } {
  const xhtml = run('pdftotext', ['-bbox-layout', pdfPath, '-']);
  const pages: { width: number; height: number }[] = [];
  const words: WordBox[] = [];
  const pattern = /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const match of xhtml.matchAll(pattern)) {
    if (match[1] !== undefined) {
      pages.push({ width: Number(match[1]), height: Number(match[2]) });
    } else {
      words.push({
        page: pages.length,
        text: decodeEntities(match[7]),
        xMin: Number(match[3]),
        yMin: Number(match[4]),
        xMax: Number(match[5]),
        yMax: Number(match[6]),
      });
    }
  }
  return { pages, words };
}

async function renderPages(pdfPath: string, workDir: string, name: string): Promise<{ data: Buffer; width: number; height: number }[]> {
  run('pdftoppm', ['-png', '-gray', '-r', String(DPI), pdfPath, join(workDir, name)]);
  const files = (await readdir(workDir)).filter((file) => file.startsWith(`${name}-`) && file.endsWith('.png')).sort();
  const pages = [];
  for (const file of files) {
    const { data, info } = await sharp(await readFile(join(workDir, file)))
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    pages.push({ data, width: info.width, height: info.height });
  }
  return pages;
}

/** Renders every page and returns the problems found; `workDir` receives the page images. */
export async function findClippedText(
  pdfPath: string,
  workDir: string,
  options: { margin: number },
): Promise<{ problems: LayoutProblem[]; pages: number; words: number; lines: number; clipPaths: number }> {
  const { pages, words } = wordBoxes(pdfPath);
  const { bytes: unclipped, clipPaths } = withoutClipping(await readFile(pdfPath));
  const unclippedPath = join(workDir, 'unclipped.pdf');
  await writeFile(unclippedPath, unclipped);
  const rendered = await renderPages(pdfPath, workDir, 'as-written');
  const revealed = await renderPages(unclippedPath, workDir, 'unclipped');
  if (rendered.length !== pages.length || revealed.length !== pages.length)
    throw new Error(`pdftoppm wrote ${rendered.length} and ${revealed.length} pages, pdftotext saw ${pages.length}`);
  const problems: LayoutProblem[] = [];
  let lineCount = 0;
  for (const [index, image] of rendered.entries()) {
    const page = index + 1;
    const { data } = image;
    const info = image;
    const pixel = (x: number, y: number) => (x < 0 || y < 0 || x >= info.width || y >= info.height ? 255 : data[y * info.width + x]);
    for (const hidden of hiddenInk(image, revealed[index])) {
      const word = words.find(
        (w) =>
          w.page === page &&
          hidden.x >= w.xMin * SCALE - 4 &&
          hidden.x <= w.xMax * SCALE + 4 &&
          hidden.y >= w.yMin * SCALE - 8 &&
          hidden.y <= w.yMax * SCALE + 8,
      );
      problems.push({
        page,
        word: word?.text ?? '',
        reason: `clipped: ${hidden.pixels} pixels of ink near (${(hidden.x / SCALE).toFixed(1)}, ${(hidden.y / SCALE).toFixed(1)}) pt are cut off`,
      });
    }
    const horizontal = ruledLines(info.width, info.height, (along, across) => pixel(along, across));
    const vertical = ruledLines(info.height, info.width, (along, across) => pixel(across, along));
    lineCount += horizontal.length + vertical.length;
    const { width, height } = pages[index];
    for (const word of words.filter((w) => w.page === page)) {
      const box = { x0: word.xMin * SCALE, x1: word.xMax * SCALE, y0: word.yMin * SCALE, y1: word.yMax * SCALE };
      const across = horizontal.find((line) => line.at > box.y0 + 1 && line.at < box.y1 - 1 && line.from < box.x1 - 1 && line.to > box.x0 + 1);
      if (across)
        problems.push({
          page,
          word: word.text,
          reason: `a horizontal line at ${(across.at / SCALE).toFixed(1)} pt runs through the word (${word.yMin.toFixed(1)}-${word.yMax.toFixed(1)} pt)`,
        });
      const down = vertical.find((line) => line.at > box.x0 + 1 && line.at < box.x1 - 1 && line.from < box.y1 - 1 && line.to > box.y0 + 1);
      if (down)
        problems.push({
          page,
          word: word.text,
          reason: `a vertical line at ${(down.at / SCALE).toFixed(1)} pt runs through the word (${word.xMin.toFixed(1)}-${word.xMax.toFixed(1)} pt)`,
        });
      if (word.xMin < options.margin - 1 || word.xMax > width - options.margin + 1 || word.yMin < 0 || word.yMax > height) {
        problems.push({
          page,
          word: word.text,
          reason: `outside the page margins (${word.xMin.toFixed(1)}-${word.xMax.toFixed(1)} pt across a ${width} pt page)`,
        });
      }
    }
  }
  return { problems, pages: pages.length, words: words.length, lines: lineCount, clipPaths };
}

/**
 * Thin straight lines along one axis: runs of at least MIN_LINE dark pixels whose neighbours two
 * pixels to either side are paper. Glyphs fail the length test, pictures and shaded areas the
 * thinness test.
 */
function ruledLines(length: number, breadth: number, pixel: (along: number, across: number) => number): Segment[] {
  const segments: Segment[] = [];
  for (let across = 0; across < breadth; across++) {
    let start = -1;
    for (let along = 0; along <= length; along++) {
      const onLine = along < length && pixel(along, across) < INK && pixel(along, across - 3) > PAPER && pixel(along, across + 3) > PAPER;
      if (onLine && start < 0) start = along;
      if (!onLine && start >= 0) {
        if (along - start >= MIN_LINE) segments.push({ at: across, from: start, to: along - 1 });
        start = -1;
      }
    }
  }
  return segments;
}

/**
 * Ink present when clipping is off but absent as written, grouped by the word-sized cell it falls
 * in (so one cut-off hash is one problem, not hundreds of pixels).
 */
function hiddenInk(
  asWritten: { data: Buffer; width: number; height: number },
  unclipped: { data: Buffer; width: number; height: number },
): { x: number; y: number; pixels: number }[] {
  const groups = new Map<string, { x: number; y: number; pixels: number }>();
  for (let y = 0; y < asWritten.height; y++) {
    for (let x = 0; x < asWritten.width; x++) {
      const i = y * asWritten.width + x;
      if (asWritten.data[i] - unclipped.data[i] < 96) continue;
      const key = `${Math.floor(y / 16)}:${Math.floor(x / 200)}`;
      const group = groups.get(key);
      if (group) group.pixels++;
      else groups.set(key, { x, y, pixels: 1 });
    }
  }
  // A few pixels can differ where antialiasing meets a clip edge that hides nothing.
  return [...groups.values()].filter((group) => group.pixels >= 3);
}

/**
 * The same PDF with every clipping path turned into a plain end of path (`W n` becomes `n`).
 * Content streams are inflated and written uncompressed; the cross-reference table is rebuilt.
 */
export function withoutClipping(pdf: Buffer): { bytes: Buffer; clipPaths: number } {
  const text = pdf.toString('latin1');
  const objects: { number: number; body: string }[] = [];
  let clipPaths = 0;
  const header = /(\d+) 0 obj\n/g;
  let match: RegExpExecArray | null;
  while ((match = header.exec(text)) !== null) {
    const start = match.index + match[0].length;
    const end = text.indexOf('\nendobj', start);
    let body = text.slice(start, end);
    const stream = /^<<([\s\S]*?)>>\nstream\n/.exec(body);
    if (stream && /\/FlateDecode/.test(stream[1]) && !/\/Subtype \/Image/.test(stream[1])) {
      const length = Number(/\/Length (\d+)/.exec(stream[1])![1]);
      const data = Buffer.from(body.slice(stream[0].length, stream[0].length + length), 'latin1');
      let content = inflateSync(data).toString('latin1');
      content = content.replace(/(^|\s)W\*?\s+n(?=\s)/g, (_, space: string) => {
        clipPaths++;
        return `${space}n`;
      });
      const dict = stream[1].replace(/\/Filter \/FlateDecode\n?/, '').replace(/\/Length \d+/, `/Length ${content.length}`);
      body = `<<${dict}>>\nstream\n${content}\nendstream`;
    }
    objects.push({ number: Number(match[1]), body });
    header.lastIndex = end;
  }
  const trailer = /trailer\n<<([\s\S]*?)>>\nstartxref/.exec(text)![1];
  let out = '%PDF-1.3\n';
  const offsets = new Map<number, number>();
  for (const object of objects) {
    offsets.set(object.number, out.length);
    out += `${object.number} 0 obj\n${object.body}\nendobj\n`;
  }
  const size = Math.max(...offsets.keys()) + 1;
  const xref = out.length;
  out += `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (let n = 1; n < size; n++) out += offsets.has(n) ? `${String(offsets.get(n)).padStart(10, '0')} 00000 n \n` : '0000000000 65535 f \n';
  out += `trailer\n<<${trailer.replace(/\/Size \d+/, `/Size ${size}`)}>>\nstartxref\n${xref}\n%%EOF\n`;
  return { bytes: Buffer.from(out, 'latin1'), clipPaths };
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" })[name]!);
}
