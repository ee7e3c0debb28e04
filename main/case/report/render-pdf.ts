/**
 * The PDF report, for printing and for attaching to a case file. pdfkit's built-in Helvetica and
 * Courier only: no font files to ship, and a PDF viewer has them all. Those fonts cover Latin-1,
 * so other characters (in file names, notes) are written as [U+XXXX] rather than dropped.
 */
import { registeredModelName } from '../../acsr/models/model-registry.ts';
import PDFDocument from 'pdfkit';
import { parameterRows } from './parameter-rows.ts';
import { latin1, MARGIN, mono, PdfWriter, THUMB_BOX, type Cell } from './pdf-writer.ts';
import type { CaseReport, ReportItem, ReportPurificationRun, ReportVerdict } from './report-model.ts';
import {
  auditSubjectText,
  bytesText,
  checkpointLine,
  clusterText,
  exifRows,
  exportFilesText,
  integrityText,
  overrideText,
  pdqDistanceText,
  reportTitle,
  scoresText,
  thumbnailModeText,
  timingsText,
  verificationHeadline,
} from './report-text.ts';
import { HASH_MATCH_HEADERS, hashListVersionLines, hashMatchRows, nearDuplicateLines, TRIAGE_INTRO } from './report-triage.ts';
import type { Thumbnail } from './thumbnails.ts';
import { EVASION_TABLE_NOTE, evasionHeadline, evasionSignalRows } from './evasion-text.ts';

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

  pdf.title(report, [
    `Report id ${report.reportId}, generated ${report.generatedAt} (UTC) by ${report.examiner}`,
    `Covers ${report.scope.description}.`,
    `Files of this report: ${exportFilesText(report)}.`,
  ]);
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
    ['Report covers', report.scope.description],
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
    ['Result', v.ok ? 'passed' : { text: 'FAILED', color: '#a11' }],
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
  if (v.problems.length > 0)
    pdf.table(
      ['Kind', 'Where', 'Problem'],
      v.problems.map((p) => [p.kind, p.where, p.reason]),
      [80, 150, '*'],
    );
  if (report.scope.kind !== 'case') pdf.paragraph('Verification covers the whole case, not only the items of this report.');

  pdf.heading('Summary');
  pdf.keyValues([
    [
      'Evidence items',
      report.scope.kind === 'case' ? String(report.summary.items) : `${report.summary.items} in this report, of ${report.summary.itemsInCase} in the case`,
    ],
    ['Items failing integrity', String(report.summary.itemsFailingIntegrity)],
    ['Purification runs', `${report.summary.purificationRuns} (${report.summary.overriddenRuns} with an examiner's cluster override)`],
    ['Classifier verdicts', String(report.summary.verdicts)],
  ]);
  if (report.bundles.length > 0) {
    pdf.subheading('Reference bundles');
    pdf.table(
      ['Bundle', 'Manifest SHA-256', 'Runs'],
      report.bundles.map((b) => [b.id, mono(b.manifestSha256), String(b.runs)]),
      [110, '*', 48],
    );
  }
  if (report.models.length > 0) {
    pdf.subheading('Classifier models');
    pdf.table(
      ['Model', 'Weights SHA-256', 'Verdicts'],
      report.models.map((m) => [modelText(m.id), mono(m.weightsSha256), String(m.verdicts)]),
      [110, '*', 48],
    );
  }

  pdf.heading('Hash lists and near-duplicates');
  pdf.paragraph(TRIAGE_INTRO);
  pdf.keyValues([
    ['Items matching a hash list', String(report.hashLists.matchedItems)],
    ['List versions', hashListVersionLines(report).join('; ') || 'none'],
  ]);
  if (report.hashLists.matches.length > 0) pdf.table(HASH_MATCH_HEADERS, hashMatchRows(report), [28, 60, 26, 44, '*', 60, 80, 50], { size: 7 });
  else pdf.paragraph('No item matches a hash list.');
  pdf.subheading('Near-duplicate groups');
  if (report.nearDuplicateGroups.length > 0) pdf.bullets(nearDuplicateLines(report));
  else pdf.paragraph('No near-duplicates.');

  pdf.heading('Evidence items');
  pdf.paragraph(thumbnailModeText(report));
  if (report.items.length === 0) pdf.paragraph('No evidence items in this report.');
  for (const item of report.items) itemSection(pdf, report, item, thumbnails);

  pdf.heading('Audit log', true);
  pdf.paragraph(
    `${report.audit.totalEntries} entries; head SHA-256 ${report.audit.headSha256 ?? '-'}. Printed: ${report.audit.excerptPolicy}. The details of each entry are in the HTML and JSON reports and in the case database.`,
  );
  pdf.table(
    ['#', 'Time (UTC)', 'Examiner', 'Action', 'About', 'SHA-256'],
    report.audit.excerpt.map((e) => [String(e.sequence), e.time, e.examiner, e.action, auditSubjectText(report, e), mono(e.sha256, 6)]),
    [24, 100, 64, 62, 110, '*'],
    { size: 7 },
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

function itemSection(pdf: PdfWriter, report: CaseReport, item: ReportItem, thumbnails: ReadonlyMap<string, Thumbnail>): void {
  const matches = hashMatchRows(report, item.id).map(([, list, line, category, how]) => `${list} line ${line}, ${category}: ${how}`);
  // The item's key facts (about 15 rows) start on the page they fit on.
  pdf.ensureSpace(THUMB_BOX + 140);
  pdf.subheading(`Item ${item.id}: ${item.originalName}`, 11);
  pdf.withThumbnail(thumbnails.get(`item:${item.id}`), item.integrity.ok ? 'no thumbnail' : 'not shown: file does not match its record', 'evidence', () =>
    pdf.keyValues(
      [
        ['Integrity (re-checked)', item.integrity.ok ? integrityText(true) : { text: integrityText(false, item.integrity.problem), color: '#a11' }],
        ['SHA-256', mono(item.sha256)],
        ['MD5', mono(item.md5)],
        ['PDQ', mono(`${item.pdq.hash} q${item.pdq.quality}${item.pdq.reliable ? '' : ' (unreliable)'}`)],
        ['Type and size', `${item.mediaType}, ${item.width} x ${item.height} px, ${bytesText(item.sizeBytes)}`],
        ['Original path', mono(item.originalPath)],
        ['Stored as', mono(item.storePath)],
        ['Imported', `${item.importedAt} by ${item.importedBy}`],
        ...(item.decodeNotes.length > 0 ? [['Decoding', item.decodeNotes.join('; ')] as [string, Cell]] : []),
        ['Category', item.category ? `${item.category.code} (${item.category.label})` : 'none'],
        ['Hash lists', matches.join('; ') || 'no match'],
        ...exifRows(item.exif),
      ],
      110,
    ),
  );
  if (item.tags.length > 0) {
    pdf.subheading('Tags (history, oldest first)');
    pdf.table(
      ['Kind', 'Value', 'Comment', 'Examiner', 'Time (UTC)'],
      item.tags.map((t) => [t.undone ? `${t.kind} (undone)` : t.kind, t.value, t.comment ?? '', t.examiner, t.createdAt]),
      [48, 80, '*', 75, 120],
    );
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
    pdf.keyValues(
      [
        ['Bundle', `${run.bundle.id}`],
        ['Bundle manifest SHA-256', mono(run.bundle.manifestSha256)],
        ['Cluster chosen by distance', clusterText(run.chosenCluster)],
        ['Cluster used', clusterText(run.usedCluster)],
        ['Overridden', run.overridden ? { text: overrideText(run), color: '#a11' } : overrideText(run)],
        ['Output SHA-256', mono(`${run.output.sha256}`)],
        ['Output check', integrityText(run.output.integrityOk)],
        ['Output PDQ', mono(`${run.output.pdqHash} q${run.output.pdqQuality}`)],
        ['PDQ distance in to out', pdqDistanceText(run)],
        ['Backend', run.backend],
        ['Seed', String(run.seed ?? '-')],
        ['Timings', timingsText(run.timingsMs)],
      ],
      110,
    ),
  );
  pdf.subheading('Settings and results recorded with the run');
  pdf.table(
    ['Setting', 'Value'],
    parameterRows(run.parameters, ['clusterIds']).map((row): Cell[] => [
      { text: row.label, indent: row.depth * 8, bold: row.value === '' },
      /^[0-9a-f]{32,}$|^evidence\//.test(row.value) ? mono(row.value) : row.value,
    ]),
    [170, '*'],
  );
  pdf.table(
    ['Cluster', 'Mahalanobis distance', ''],
    run.clusterDistances.map((c) => [
      clusterText(c),
      c.distance.toPrecision(6),
      [c.index === run.chosenCluster.index ? 'nearest' : '', c.index === run.usedCluster.index ? 'used' : ''].filter(Boolean).join(', '),
    ]),
    [150, 120, '*'],
  );
  const verdicts = [...run.verdictsBefore, ...run.verdictsAfter];
  if (verdicts.length > 0) {
    pdf.subheading('Verdicts before and after');
    verdictTable(pdf, verdicts);
  } else {
    pdf.paragraph('No classifier verdicts recorded for this run.');
  }
  evasionSection(pdf, run);
}

function evasionSection(pdf: PdfWriter, run: ReportPurificationRun): void {
  if (!run.evasion) {
    pdf.paragraph(`Evasion check: ${evasionHeadline(undefined)}.`);
    return;
  }
  pdf.subheading('Evasion check: was this image made to fool the filter?');
  pdf.paragraph(evasionHeadline(run.evasion));
  pdf.table(
    ['Signal', 'What it measures', 'Value', 'Contribution'],
    evasionSignalRows(run.evasion).map((row): Cell[] => [
      { text: row.signal, bold: row.fired },
      row.meaning,
      row.value,
      { text: row.contribution, bold: row.fired },
    ]),
    [90, '*', 50, 60],
  );
  pdf.paragraph(EVASION_TABLE_NOTE);
}

function verdictTable(pdf: PdfWriter, verdicts: ReportVerdict[]): void {
  pdf.table(
    ['Stage', 'Model and weights SHA-256', 'Top class', 'Scores'],
    verdicts.map((v) => [v.stage, mono(`${modelText(v.modelId)}\n${v.modelWeightsSha256}`, 6), v.topClass, scoresText(v)]),
    [36, 170, 52, '*'],
  );
}

/** A model by the name people read, its registry id on the line below (the id is what identifies it), as in the HTML report. */
function modelText(modelId: string): string {
  const name = registeredModelName(modelId);
  return name ? `${name}\nmodel id ${modelId}` : `model id ${modelId}`;
}
