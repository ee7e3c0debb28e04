/**
 * The PDF report, for printing and for attaching to a case file. pdfkit's built-in Helvetica and
 * Courier only: no font files to ship, and a PDF viewer has them all. Those fonts cover Latin-1,
 * so other characters (in file names, notes) are written as [U+XXXX] rather than dropped.
 */
import PDFDocument from 'pdfkit';
import type { CaseReport, ReportItem, ReportPurificationRun, ReportVerdict } from './report-model.ts';
import {
  bytesText, checkpointLine, clusterText, integrityText, overrideText, parameterLines, pdqDistanceText, reportTitle, scoresText,
  thumbnailModeText, timingsText, verificationHeadline,
} from './report-text.ts';
import type { Thumbnail } from './thumbnails.ts';

const MARGIN = 48;
const BODY = 8.5;
const MONO = 'Courier';
const THUMB_BOX = 104;

type Cell = string | { text: string; font?: { src: string; size?: number }; textColor?: string; backgroundColor?: string };

export async function renderPdf(report: CaseReport, thumbnails: ReadonlyMap<string, Thumbnail>): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN + 14, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: latin1(`${reportTitle(report)}: ${report.case.title}`),
      Author: latin1(report.examiner),
      Subject: `report ${report.reportId}`,
      Creator: `${report.tool.name} ${report.tool.version}`,
      CreationDate: new Date(report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const pdf = new PdfWriter(doc);

  pdf.title(report);
  pdf.banner(verificationHeadline(report), report.verification.ok);

  pdf.heading('Case');
  pdf.keyValues([
    ['Case number', report.case.number],
    ['Title', report.case.title],
    ['Requester', report.case.requester ?? '-'],
    ['Created', `${report.case.createdAt} by ${report.case.createdBy}`],
    ['Closed', report.case.closedAt ?? 'open'],
    ['Case folder', mono(report.case.folder)],
    ['Examiner (this report)', report.examiner],
  ]);
  if (report.case.notes.length > 0) {
    pdf.subheading('Case notes');
    pdf.bullets(report.case.notes.map((n) => `${n.text} (${n.examiner}, ${n.createdAt})`));
  }

  pdf.heading('Tool and environment');
  pdf.keyValues([
    ['Tool', `${report.tool.name} ${report.tool.version}`],
    ['Git commit', mono(`${report.tool.gitCommit}${report.tool.gitWorkingTreeModified ? ' (uncommitted changes)' : ''}`)],
    ['Operating system', report.environment.os],
    ['Node.js', report.environment.node],
    ['Electron', report.environment.electron],
    ['SQLite', report.environment.sqlite],
    ['Host', report.environment.host],
  ]);

  const v = report.verification;
  pdf.heading('Verification');
  pdf.keyValues([
    ['Result', v.ok ? 'passed' : { text: 'FAILED', textColor: '#a11' }],
    ['Checked at', v.checkedAt],
    ['Recorded as audit entry', String(v.auditSequence ?? '-')],
    ['Audit entries checked', String(v.auditEntriesChecked)],
    ['Audit head SHA-256', mono(v.auditHeadSha256 ?? '-')],
    ['Evidence files checked', String(v.itemsChecked)],
    ['Purified outputs checked', String(v.outputsChecked)],
    ['Report files checked', String(v.reportsChecked)],
    ['Latest signed checkpoint', checkpointLine(v)],
    ['First broken link', v.firstBrokenLink ?? 'none'],
  ]);
  if (v.problems.length > 0) pdf.table(['Kind', 'Where', 'Problem'], v.problems.map((p) => [p.kind, p.where, p.reason]), [80, 150, '*']);

  pdf.heading('Summary');
  pdf.keyValues([
    ['Evidence items', String(report.summary.items)],
    ['Items failing integrity', String(report.summary.itemsFailingIntegrity)],
    ['Purification runs', `${report.summary.purificationRuns} (${report.summary.overriddenRuns} with an examiner's cluster override)`],
    ['Classifier verdicts', String(report.summary.verdicts)],
  ]);
  if (report.bundles.length > 0) {
    pdf.subheading('Reference bundles');
    pdf.table(['Bundle id', 'Manifest SHA-256', 'Runs'], report.bundles.map((b) => [b.id, mono(b.manifestSha256), String(b.runs)]), [110, '*', 48]);
  }
  if (report.models.length > 0) {
    pdf.subheading('Classifier models');
    pdf.table(['Model id', 'Weights SHA-256', 'Verdicts'], report.models.map((m) => [m.id, mono(m.weightsSha256), String(m.verdicts)]), [110, '*', 48]);
  }

  pdf.heading('Evidence items');
  pdf.paragraph(thumbnailModeText(report));
  for (const item of report.items) itemSection(pdf, item, thumbnails);

  pdf.heading('Audit log', true);
  pdf.paragraph(`${report.audit.totalEntries} entries; head SHA-256 ${report.audit.headSha256 ?? '-'}. Printed: ${report.audit.excerptPolicy}. The parameters of each entry are in the JSON report and in the case database.`);
  pdf.table(
    ['#', 'Time (UTC)', 'Examiner', 'Action', 'Subject', 'SHA-256'],
    report.audit.excerpt.map((e) => [String(e.sequence), e.time, e.examiner, e.action, e.subject, mono(e.sha256, 6)]),
    [24, 100, 70, 66, 72, '*'],
    7,
  );

  pdf.heading('Limitations');
  pdf.bullets(report.limitations);
  pdf.heading('Checking this report');
  pdf.paragraph(report.selfVerification);

  pdf.pageHeadersAndFooters(report);
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}

function itemSection(pdf: PdfWriter, item: ReportItem, thumbnails: ReadonlyMap<string, Thumbnail>): void {
  pdf.ensureSpace(THUMB_BOX + 40);
  pdf.subheading(`Item ${item.id}: ${item.originalName}`, 11);
  pdf.withThumbnail(thumbnails.get(`item:${item.id}`), item.integrity.ok ? 'no thumbnail' : 'not shown: file does not match its record', 'evidence', () =>
    pdf.keyValues([
      ['Integrity (re-checked)', item.integrity.ok ? integrityText(true) : { text: integrityText(false, item.integrity.problem), textColor: '#a11' }],
      ['SHA-256', mono(item.sha256)],
      ['MD5', mono(item.md5)],
      ['PDQ', mono(`${item.pdq.hash} q${item.pdq.quality}${item.pdq.reliable ? '' : ' (unreliable)'}`)],
      ['Type and size', `${item.mediaType}, ${item.width} x ${item.height} px, ${bytesText(item.sizeBytes)}`],
      ['Original path', mono(item.originalPath)],
      ['Stored as', mono(item.storePath)],
      ['Imported', `${item.importedAt} by ${item.importedBy}`],
      ...(item.decodeNotes.length > 0 ? [['Decoding', item.decodeNotes.join('; ')] as [string, Cell]] : []),
      ['Category', item.category ? `${item.category.code} (${item.category.label})` : 'none'],
    ], 110),
  );
  if (item.tags.length > 0) {
    pdf.subheading('Tags (history, oldest first)');
    pdf.table(['Kind', 'Value', 'Comment', 'Examiner', 'Time (UTC)'], item.tags.map((t) => [t.kind, t.value, t.comment ?? '', t.examiner, t.createdAt]), [45, 80, '*', 75, 122]);
  }
  if (item.notes.length > 0) {
    pdf.subheading('Notes');
    pdf.bullets(item.notes.map((n) => `${n.text} (${n.examiner}, ${n.createdAt})`));
  }
  for (const run of item.purificationRuns) runSection(pdf, run, thumbnails);
  if (item.otherVerdicts.length > 0) {
    pdf.subheading('Other classifier verdicts');
    verdictTable(pdf, item.otherVerdicts);
  }
  pdf.rule();
}

function runSection(pdf: PdfWriter, run: ReportPurificationRun, thumbnails: ReadonlyMap<string, Thumbnail>): void {
  pdf.ensureSpace(THUMB_BOX + 40);
  pdf.subheading(`Purification run ${run.id} (${run.createdAt}, ${run.examiner})`);
  pdf.withThumbnail(thumbnails.get(`run:${run.id}`), 'output not shown', 'purified', () =>
    pdf.keyValues([
      ['Bundle', `${run.bundle.id}`],
      ['Bundle manifest SHA-256', mono(run.bundle.manifestSha256)],
      ['Cluster chosen by distance', clusterText(run.chosenCluster)],
      ['Cluster used', clusterText(run.usedCluster)],
      ['Overridden', run.overridden ? { text: overrideText(run), textColor: '#a11' } : overrideText(run)],
      ['Output SHA-256', mono(`${run.output.sha256}`)],
      ['Output check', integrityText(run.output.integrityOk)],
      ['Output PDQ', mono(`${run.output.pdqHash} q${run.output.pdqQuality}`)],
      ['PDQ distance in to out', pdqDistanceText(run)],
      ['Backend', run.backend],
      ['Seed', String(run.seed ?? '-')],
      ['Parameters', mono(parameterLines(run.parameters, ['clusterIds']).join('\n'), 6.5)],
      ['Timings', timingsText(run.timingsMs)],
    ], 110),
  );
  pdf.table(
    ['Cluster', 'Mahalanobis distance', ''],
    run.clusterDistances.map((c) => [clusterText(c), c.distance.toPrecision(6), [c.index === run.chosenCluster.index ? 'nearest' : '', c.index === run.usedCluster.index ? 'used' : ''].filter(Boolean).join(', ')]),
    [150, 120, '*'],
  );
  const verdicts = [...run.verdictsBefore, ...run.verdictsAfter];
  if (verdicts.length > 0) {
    pdf.subheading('Verdicts before and after');
    verdictTable(pdf, verdicts);
  } else {
    pdf.paragraph('No classifier verdicts recorded for this run.');
  }
}

function verdictTable(pdf: PdfWriter, verdicts: ReportVerdict[]): void {
  pdf.table(
    ['Stage', 'Model and weights SHA-256', 'Top class', 'Scores'],
    verdicts.map((v) => [v.stage, mono(`${v.modelId}\n${v.modelWeightsSha256}`, 6), v.topClass, scoresText(v)]),
    [36, 170, 52, '*'],
  );
}

function mono(text: string, size = 7): Cell {
  return { text, font: { src: MONO, size } };
}

/** Characters the standard fonts cannot show are spelled out, so nothing disappears silently. */
function latin1(text: string): string {
  return text.replace(/[^\n\x20-\x7e\xa0-\xff]/gu, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** Layout helpers over one pdfkit document: everything flows down the page, breaking as needed. */
class PdfWriter {
  readonly doc: PDFKit.PDFDocument;

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

  title(report: CaseReport): void {
    const { doc } = this;
    doc.font('Helvetica-Bold').fontSize(17).text(latin1(reportTitle(report)), { width: this.contentWidth });
    doc.font('Helvetica').fontSize(12).text(latin1(report.case.title), { width: this.contentWidth });
    doc.moveDown(0.3).fontSize(BODY).text(latin1(`Report id ${report.reportId}, generated ${report.generatedAt} (UTC) by ${report.examiner}`));
    doc.moveDown(0.5);
  }

  banner(text: string, ok: boolean): void {
    const { doc } = this;
    doc.font('Helvetica-Bold').fontSize(9.5);
    const height = doc.heightOfString(latin1(text), { width: this.contentWidth - 16 }) + 12;
    this.ensureSpace(height);
    const top = doc.y;
    doc.save().rect(doc.page.margins.left, top, this.contentWidth, height).fillAndStroke(ok ? '#e3f4e1' : '#fbe3e1', ok ? '#5c9e55' : '#c0392b').restore();
    doc.fillColor(ok ? '#1d4d17' : '#8b1d12').text(latin1(text), doc.page.margins.left + 8, top + 6, { width: this.contentWidth - 16 });
    doc.fillColor('black').font('Helvetica').fontSize(BODY);
    doc.x = doc.page.margins.left;
    doc.y = top + height + 6;
  }

  heading(text: string, newPage = false): void {
    const { doc } = this;
    if (newPage) doc.addPage();
    else this.ensureSpace(60);
    doc.moveDown(0.6);
    doc.x = doc.page.margins.left;
    doc.font('Helvetica-Bold').fontSize(13).text(latin1(text), { width: this.contentWidth });
    const y = doc.y + 1;
    doc.save().moveTo(doc.page.margins.left, y).lineTo(doc.page.margins.left + this.contentWidth, y).lineWidth(1.2).stroke('#333').restore();
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
    doc.save().moveTo(doc.page.margins.left, doc.y).lineTo(doc.page.margins.left + this.contentWidth, doc.y).lineWidth(0.5).dash(2, { space: 2 }).stroke('#888').restore();
    doc.moveDown(0.5);
  }

  keyValues(rows: [string, Cell][], keyWidth = 120): void {
    this.table(null, rows, [keyWidth, '*']);
  }

  table(headers: string[] | null, rows: Cell[][], widths: (number | string)[], size = BODY): void {
    const maxWidth = this.contentWidth - this.#rightIndent;
    const { doc } = this;
    const x = doc.page.margins.left;
    doc.x = x;
    doc.font('Helvetica').fontSize(size);
    const clean = (cell: Cell) => (typeof cell === 'string' ? latin1(cell) : { ...cell, text: latin1(cell.text) });
    const data: Cell[][] = [
      ...(headers ? [headers.map((h) => ({ text: latin1(h), font: { src: 'Helvetica-Bold', size }, backgroundColor: '#eeeeee' }))] : []),
      ...rows.map((row) => row.map(clean)),
    ];
    doc.table({
      position: { x, y: doc.y },
      maxWidth,
      columnStyles: headers ? widths : (column: number) => (column === 0 ? { width: widths[0] as number, backgroundColor: '#f4f4f4', font: { src: 'Helvetica-Bold' } } as PDFKit.Mixins.ColumnStyle : { width: '*' }),
      defaultStyle: { border: 0.5, borderColor: '#b0b0b0', padding: [2, 4] as unknown as PDFKit.Mixins.Sides<number> },
      data: data as PDFKit.Mixins.TableOptionsWithData['data'],
    });
    doc.x = x;
    doc.moveDown(0.4);
    doc.font('Helvetica').fontSize(BODY);
  }

  /** `draw` lays out tables to the left of the thumbnail, which sits at the block's top right. */
  withThumbnail(thumbnail: Thumbnail | undefined, missing: string, caption: string, draw: () => void): void {
    const { doc } = this;
    const top = doc.y;
    const left = doc.page.margins.left + this.contentWidth - THUMB_BOX;
    if (thumbnail) {
      doc.image(thumbnail.bytes, left, top, { fit: [THUMB_BOX, THUMB_BOX], align: 'center', valign: 'center' });
      doc.save().rect(left, top, THUMB_BOX, THUMB_BOX).lineWidth(0.5).stroke('#888').restore();
      doc.fontSize(7).fillColor('#555').text(caption, left, top + THUMB_BOX + 2, { width: THUMB_BOX, align: 'center' }).fillColor('black');
    } else {
      doc.save().rect(left, top, THUMB_BOX, THUMB_BOX).lineWidth(0.5).dash(2, { space: 2 }).stroke('#aaa').restore();
      doc.fontSize(7).fillColor('#777').text(latin1(missing), left + 6, top + THUMB_BOX / 2 - 8, { width: THUMB_BOX - 12, align: 'center' }).fillColor('black');
    }
    const startPage = this.pageIndex();
    doc.x = doc.page.margins.left;
    doc.y = top;
    doc.fontSize(BODY);
    this.#withRightIndent(THUMB_BOX + 8, draw);
    // If the table stayed on this page, continue below whichever is lower.
    if (this.pageIndex() === startPage) doc.y = Math.max(doc.y, top + THUMB_BOX + 14);
    doc.x = doc.page.margins.left;
  }

  #withRightIndent(indent: number, draw: () => void): void {
    const saved = this.#rightIndent;
    this.#rightIndent = indent;
    try {
      draw();
    } finally {
      this.#rightIndent = saved;
    }
  }

  /** Room kept free at the right of tables, for a thumbnail beside them. */
  #rightIndent = 0;

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
      doc.text(latin1(`${reportTitle(report)} - ${report.case.title}`), left, 24, { width: width * 0.7, lineBreak: false, ellipsis: true });
      doc.text(`report ${report.reportId}`, left + width * 0.55, 24, { width: width * 0.45, align: 'right', lineBreak: false });
      doc.save().moveTo(left, 36).lineTo(left + width, 36).lineWidth(0.5).stroke('#999').restore();
      doc.text(`page ${i - range.start + 1} of ${range.count}`, left, doc.page.height - 32, { width, align: 'right', lineBreak: false });
      doc.text(`generated ${report.generatedAt} UTC - ${report.tool.name} ${report.tool.version}`, left, doc.page.height - 32, { width: width * 0.7, lineBreak: false });
      doc.page.margins.bottom = bottom;
      doc.fillColor('black');
    }
  }
}
