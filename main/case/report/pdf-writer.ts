/**
 * Layout over one pdfkit document for the PDF report: everything flows down the page, breaking
 * as needed. Tables are drawn here rather than with pdfkit's table(), which clips each cell's text
 * to the font's nominal height: a viewer that substitutes its own font for the built-in Courier or
 * Helvetica (most do) draws taller glyphs, and their tops were cut off. Here a cell's height is
 * measured with its own font, text is never clipped, and the padding leaves room for any
 * substitute's ascenders.
 */
import type { CaseReport } from './report-model.ts';
import { reportTitle } from './report-text.ts';
import type { Thumbnail } from './thumbnails.ts';

export const MARGIN = 48;
export const BODY = 8.5;
export const THUMB_BOX = 104;
const MONO = 'Courier';
const PAD_X = 4;
const PAD_Y = 3;
const BORDER = '#b0b0b0';

export interface CellStyle {
  text: string;
  mono?: boolean;
  bold?: boolean;
  size?: number;
  color?: string;
  /** Left indent inside the cell, in points (nested parameters). */
  indent?: number;
}
export type Cell = string | CellStyle;

export function mono(text: string, size = 7): CellStyle {
  return { text, mono: true, size };
}

/** Characters the standard fonts cannot show are spelled out, so nothing disappears silently. */
export function latin1(text: string): string {
  return text.replace(/[^\n\x20-\x7e\xa0-\xff]/gu, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

export class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  /** Room kept free at the right of tables, for a thumbnail beside them. */
  #rightIndent = 0;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
    doc.font('Helvetica').fontSize(BODY);
  }

  get contentWidth(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  title(report: CaseReport, lines: string[]): void {
    const { doc } = this;
    doc
      .font('Helvetica-Bold')
      .fontSize(17)
      .text(latin1(reportTitle(report)), { width: this.contentWidth });
    doc.font('Helvetica').fontSize(12).text(latin1(report.case.title), { width: this.contentWidth });
    doc.moveDown(0.3).fontSize(BODY);
    for (const line of lines) doc.text(latin1(line), { width: this.contentWidth });
    doc.moveDown(0.5);
  }

  banner(text: string, ok: boolean): void {
    const { doc } = this;
    doc.font('Helvetica-Bold').fontSize(9.5);
    const height = doc.heightOfString(latin1(text), { width: this.contentWidth - 16 }) + 12;
    this.ensureSpace(height);
    const top = doc.y;
    doc
      .save()
      .rect(doc.page.margins.left, top, this.contentWidth, height)
      .fillAndStroke(ok ? '#e3f4e1' : '#fbe3e1', ok ? '#5c9e55' : '#c0392b')
      .restore();
    doc.fillColor(ok ? '#1d4d17' : '#8b1d12').text(latin1(text), doc.page.margins.left + 8, top + 6, { width: this.contentWidth - 16 });
    doc.fillColor('black').font('Helvetica').fontSize(BODY);
    doc.x = doc.page.margins.left;
    doc.y = top + height + 6;
  }

  /** A section heading, also added to the PDF's outline (the viewer's bookmarks). */
  heading(text: string, newPage = false): void {
    const { doc } = this;
    if (newPage) doc.addPage();
    else this.ensureSpace(60);
    doc.moveDown(0.6);
    doc.x = doc.page.margins.left;
    doc.outline.addItem(latin1(text));
    doc.font('Helvetica-Bold').fontSize(13).text(latin1(text), { width: this.contentWidth });
    const y = doc.y + 1;
    doc
      .save()
      .moveTo(doc.page.margins.left, y)
      .lineTo(doc.page.margins.left + this.contentWidth, y)
      .lineWidth(1.2)
      .stroke('#333')
      .restore();
    doc.y = y + 5;
    doc.font('Helvetica').fontSize(BODY);
  }

  subheading(text: string, size = 9.5): void {
    const { doc } = this;
    // Room for the heading, a table's header and its first row, so none is left alone at the bottom.
    this.ensureSpace(64);
    doc.moveDown(0.4);
    doc.x = doc.page.margins.left;
    doc.font('Helvetica-Bold').fontSize(size).text(latin1(text), { width: this.contentWidth });
    doc.moveDown(0.2).font('Helvetica').fontSize(BODY);
  }

  paragraph(text: string): void {
    this.doc.x = this.doc.page.margins.left;
    this.doc.font('Helvetica').fontSize(BODY).text(latin1(text), { width: this.contentWidth });
    this.doc.moveDown(0.4);
  }

  bullets(lines: string[]): void {
    this.doc.x = this.doc.page.margins.left;
    this.doc.font('Helvetica').fontSize(BODY).list(lines.map(latin1), { width: this.contentWidth, bulletRadius: 1.5, paragraphGap: 2 });
    this.doc.moveDown(0.4);
  }

  rule(): void {
    const { doc } = this;
    doc.moveDown(0.3);
    doc
      .save()
      .moveTo(doc.page.margins.left, doc.y)
      .lineTo(doc.page.margins.left + this.contentWidth, doc.y)
      .lineWidth(0.5)
      .dash(2, { space: 2 })
      .stroke('#888')
      .restore();
    doc.moveDown(0.5);
  }

  keyValues(rows: [string, Cell][], keyWidth = 120): void {
    this.table(
      null,
      rows.map(([key, value]) => [{ text: key, bold: true }, value]),
      [keyWidth, '*'],
      { keyColumn: true },
    );
  }

  /**
   * Rows never split across pages (a row that does not fit starts the next page, under a repeated
   * header); `widths` in points, '*' sharing what is left.
   */
  table(headers: string[] | null, rows: Cell[][], widths: (number | '*')[], options: { size?: number; keyColumn?: boolean } = {}): void {
    const { doc } = this;
    const size = options.size ?? BODY;
    const left = doc.page.margins.left;
    const total = this.contentWidth - this.#rightIndent;
    const fixed = widths.reduce<number>((sum, width) => sum + (width === '*' ? 0 : width), 0);
    const stars = widths.filter((width) => width === '*').length;
    const columns = widths.map((width) => (width === '*' ? Math.max(24, (total - fixed) / stars) : width));
    const header = headers?.map((text): CellStyle => ({ text, bold: true }));
    const draw = (cells: Cell[], shade: (column: number) => string | null) => {
      const styled = cells.map((cell): CellStyle => (typeof cell === 'string' ? { text: cell } : cell));
      const height = Math.max(...styled.map((cell, column) => this.#cellTextHeight(cell, columns[column], size))) + 2 * PAD_Y;
      if (doc.y + height > this.bottom) {
        doc.addPage();
        if (header && cells !== header) draw(header, () => '#eeeeee');
      }
      const top = doc.y;
      let x = left;
      for (const [column, cell] of styled.entries()) {
        const fill = shade(column);
        if (fill) doc.save().rect(x, top, columns[column], height).fill(fill).restore();
        this.#setFont(cell, size);
        doc
          .fillColor(cell.color ?? 'black')
          .text(latin1(cell.text), x + PAD_X + (cell.indent ?? 0), top + PAD_Y, { width: columns[column] - 2 * PAD_X - (cell.indent ?? 0) });
        x += columns[column];
      }
      doc.fillColor('black');
      x = left;
      for (const width of columns) {
        doc.save().rect(x, top, width, height).lineWidth(0.5).stroke(BORDER).restore();
        x += width;
      }
      doc.x = left;
      doc.y = top + height;
    };
    if (header) draw(header, () => '#eeeeee');
    for (const row of rows) draw(row, (column) => (options.keyColumn && column === 0 ? '#f4f4f4' : null));
    doc.x = left;
    doc.moveDown(0.4);
    doc.font('Helvetica').fontSize(BODY);
  }

  #setFont(cell: CellStyle, size: number): void {
    this.doc.font(cell.mono ? MONO : cell.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(cell.size ?? size);
  }

  #cellTextHeight(cell: CellStyle, width: number, size: number): number {
    this.#setFont(cell, size);
    if (cell.text === '') return this.doc.currentLineHeight(true);
    return this.doc.heightOfString(latin1(cell.text), { width: width - 2 * PAD_X - (cell.indent ?? 0) });
  }

  /** `draw` lays out tables to the left of the thumbnail, which sits at the block's top right. */
  withThumbnail(thumbnail: Thumbnail | undefined, missing: string, caption: string, draw: () => void): void {
    const { doc } = this;
    const top = doc.y;
    const left = doc.page.margins.left + this.contentWidth - THUMB_BOX;
    if (thumbnail) {
      doc.image(thumbnail.bytes, left, top, { fit: [THUMB_BOX, THUMB_BOX], align: 'center', valign: 'center' });
      doc.save().rect(left, top, THUMB_BOX, THUMB_BOX).lineWidth(0.5).stroke('#888').restore();
      doc
        .fontSize(7)
        .fillColor('#555')
        .text(caption, left, top + THUMB_BOX + 2, { width: THUMB_BOX, align: 'center' })
        .fillColor('black');
    } else {
      doc.save().rect(left, top, THUMB_BOX, THUMB_BOX).lineWidth(0.5).dash(2, { space: 2 }).stroke('#aaa').restore();
      doc
        .fontSize(7)
        .fillColor('#777')
        .text(latin1(missing), left + 6, top + THUMB_BOX / 2 - 8, { width: THUMB_BOX - 12, align: 'center' })
        .fillColor('black');
    }
    const startPage = this.pageIndex();
    doc.x = doc.page.margins.left;
    doc.y = top;
    doc.fontSize(BODY);
    const saved = this.#rightIndent;
    this.#rightIndent = THUMB_BOX + 8;
    try {
      draw();
    } finally {
      this.#rightIndent = saved;
    }
    // If the table stayed on this page, continue below whichever is lower.
    if (this.pageIndex() === startPage) doc.y = Math.max(doc.y, top + THUMB_BOX + 14);
    doc.x = doc.page.margins.left;
  }

  pageIndex(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }

  pageHeadersAndFooters(report: CaseReport): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const { left, right, bottom } = doc.page.margins;
      const width = doc.page.width - left - right;
      // Writing in the margins must not make pdfkit start a new page.
      doc.page.margins.bottom = 0;
      doc.font('Helvetica').fontSize(7).fillColor('#444');
      doc.text(latin1(`${reportTitle(report)} - ${report.case.title}`), left, 24, { width: width * 0.55, lineBreak: false, ellipsis: true });
      doc.text(`report ${report.reportId}`, left + width * 0.55, 24, { width: width * 0.45, align: 'right', lineBreak: false });
      doc
        .save()
        .moveTo(left, 36)
        .lineTo(left + width, 36)
        .lineWidth(0.5)
        .stroke('#999')
        .restore();
      doc.text(`page ${i - range.start + 1} of ${range.count}`, left, doc.page.height - 32, { width, align: 'right', lineBreak: false });
      doc.text(`generated ${report.generatedAt} UTC - ${report.tool.name} ${report.tool.version}`, left, doc.page.height - 32, {
        width: width * 0.7,
        lineBreak: false,
      });
      doc.page.margins.bottom = bottom;
      doc.fillColor('black');
    }
  }
}
