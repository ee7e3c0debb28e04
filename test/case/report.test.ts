// `acsr case report` on a real case: every shared photo imported, tags and notes, real
// purification runs (one overridden) with real verdicts, then HTML, PDF and JSON reports read back
// the way a reviewer would: JSON parsed, HTML searched for anything that reaches outside the
// file, thumbnails decoded, the PDF opened with poppler (pdfinfo, pdftoppm, pdftotext).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import type { ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { purifyEvidence } from '../../main/case/purify-evidence.ts';
import type { EvidenceItem } from '../../main/case/records.ts';
import type { CaseReport } from '../../main/case/report/report-model.ts';
import { writeReports, type WrittenReport } from '../../main/case/report/write-report.ts';
import { productVersion } from '../../main/version.ts';
import { pdqHammingDistance } from '../../main/pdq/pdq.ts';
import { copyPhotos, makeTempDir, removeTempDir, repoRoot, runAcsr } from './case-fixtures.ts';
import { FAST_PURIFICATION, trainTinyBundle, writePhotoCrop } from './report-fixtures.ts';

let root: string;
let caseFolder: CaseFolder;
let model: TfImageModel;
let bundle: ReferenceBundle;
let photos: string[];
let crop: EvidenceItem;
let dog: EvidenceItem;
let written: WrittenReport[];

const byFormat = (format: string) => written.find((report) => report.format === format)!;

before(async () => {
  root = await makeTempDir('report');
  model = await loadTfImageModel('nsfwjs-mobilenet-v2');
  bundle = await trainTinyBundle(root, model);
  photos = await copyPhotos(join(root, 'photos'));
  await writePhotoCrop('skimage-chelsea.png', join(root, 'photos', 'cat-crop.png'), { left: 150, top: 60, size: 64 });
  caseFolder = await CaseFolder.create(join(root, 'case'), {
    number: 'R-2026/7',
    title: 'Reported uploads <batch 7>',
    requester: 'T&S escalations',
    examiner: 'alice',
  });
  await caseFolder.importEvidence([join(root, 'photos')], { examiner: 'alice' });
  const items = [...caseFolder.db.items()];
  crop = items.find((item) => item.originalName === 'cat-crop.png')!;
  dog = items.find((item) => item.originalName === 'darknet-dog.jpg')!;
  caseFolder.db.addTag({ itemId: dog.id, category: 'CAT-5', comment: 'stock photo', examiner: 'alice' });
  caseFolder.db.addTag({ itemId: crop.id, tag: 'needs-second-look', comment: 'cropped from a larger picture', examiner: 'bob' });
  caseFolder.db.addNote({ itemId: crop.id, text: 'Same cat as in skimage-chelsea.png', examiner: 'bob' });
  caseFolder.db.addNote({ text: 'Batch received 2026-11-20 from the reporting queue', examiner: 'alice' });
  await purifyEvidence(caseFolder, { itemIds: [crop.id], bundle, extractor: model, classifier: model, examiner: 'bob', options: FAST_PURIFICATION });
  const nearest = caseFolder.db.purificationRuns(crop.id)[0].chosenCluster;
  await purifyEvidence(caseFolder, {
    itemIds: [crop.id],
    bundle,
    extractor: model,
    classifier: model,
    examiner: 'carol',
    options: FAST_PURIFICATION,
    override: { cluster: bundle.clusters[nearest === 0 ? 1 : 0].id, reason: 'fur reads as texture' },
  });
  written = await writeReports(
    caseFolder,
    [
      { format: 'html', path: join(root, 'report.html') },
      { format: 'pdf', path: join(root, 'report.pdf') },
      { format: 'json', path: join(root, 'report.json') },
    ],
    { examiner: 'dana' },
  );
});

after(async () => {
  caseFolder?.close();
  model?.dispose();
  await removeTempDir(root);
});

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readJsonReport(path: string): Promise<CaseReport> {
  return JSON.parse(await readFile(path, 'utf8')) as CaseReport;
}

/** Thumbnails in an HTML report, by their data-thumbnail key ('item:3', 'run:1'). */
function htmlThumbnails(html: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const match of html.matchAll(/<img src="data:image\/jpeg;base64,([A-Za-z0-9+/=]+)"[^>]*data-thumbnail="([a-z]+:\d+)"/g)) {
    found.set(match[2], Buffer.from(match[1], 'base64'));
  }
  return found;
}

/** Mean absolute difference between horizontal neighbours in luma (detail), and mean chroma. */
async function pixelStatistics(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const c = info.channels;
  const luma = (i: number) => (c >= 3 ? 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] : data[i]);
  let detail = 0;
  let chroma = 0;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * c;
      if (x > 0) detail += Math.abs(luma(i) - luma(i - c));
      if (c >= 3) chroma += Math.abs(data[i] - data[i + 1]) + Math.abs(data[i + 1] - data[i + 2]);
    }
  }
  const pixels = info.width * info.height;
  return { width: info.width, height: info.height, detail: detail / pixels, chroma: chroma / pixels };
}

function poppler(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${tool} not found: these tests need poppler-utils (apt-get install -y poppler-utils)`, { cause: error });
    throw error;
  }
}

describe('acsr case report', () => {
  it('the JSON report holds every required field, matching the case and the files', async () => {
    const report = await readJsonReport(byFormat('json').path);
    assert.match(report.reportId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(report.reportId, byFormat('json').reportId);
    assert.deepEqual([report.format, report.renderedAs, report.thumbnails], ['acsr-case-report', 'json', 'none']);
    assert.deepEqual(
      [report.case.number, report.case.title, report.case.requester, report.case.createdBy],
      ['R-2026/7', 'Reported uploads <batch 7>', 'T&S escalations', 'alice'],
    );
    assert.equal(report.examiner, 'dana');
    for (const time of [report.generatedAt, report.case.createdAt, report.verification.checkedAt])
      assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(
      report.case.notes.map((n) => [n.text, n.examiner]),
      [['Batch received 2026-11-20 from the reporting queue', 'alice']],
    );

    assert.equal(report.tool.version, productVersion);
    assert.match(report.tool.gitCommit, /^[0-9a-f]{40}$/);
    // Others may commit while the suite runs: the commit must exist, not necessarily be HEAD now.
    execFileSync('git', ['cat-file', '-e', `${report.tool.gitCommit}^{commit}`], { cwd: repoRoot });
    assert.equal(typeof report.tool.gitWorkingTreeModified, 'boolean');
    assert.equal(report.environment.node, process.version);
    assert.equal(report.environment.electron, 'not running in Electron');
    assert.match(report.environment.os, new RegExp(process.platform));
    assert.match(report.environment.sqlite, /^3\.\d+/);

    // The case was verified as part of the report, and that check is in the printed audit log.
    assert.equal(report.verification.ok, true, report.verification.firstBrokenLink ?? '');
    assert.equal(report.verification.itemsChecked, photos.length + 1);
    assert.equal(report.verification.outputsChecked, 2);
    const verifyEntry = report.audit.excerpt.find((entry) => entry.sequence === report.verification.auditSequence)!;
    assert.deepEqual([verifyEntry.action, verifyEntry.examiner], ['verify', 'dana']);
    assert.equal(report.audit.totalEntries, report.audit.excerpt.length);
    assert.equal(report.audit.headSha256, report.audit.excerpt.at(-1)!.sha256);
    for (const [index, entry] of report.audit.excerpt.entries()) {
      if (index > 0) assert.equal(entry.previousSha256, report.audit.excerpt[index - 1].sha256, `chain link ${entry.sequence}`);
    }

    // Every item: hashes of the original file, PDQ, integrity re-checked, tags and notes.
    assert.equal(report.items.length, photos.length + 1);
    assert.deepEqual(report.summary, {
      items: photos.length + 1,
      itemsInCase: photos.length + 1,
      itemsFailingIntegrity: 0,
      purificationRuns: 2,
      overriddenRuns: 1,
      verdicts: 4,
    });
    for (const item of report.items) {
      const original = await readFile(join(root, 'photos', item.originalName));
      assert.equal(item.sha256, sha256Of(original), item.originalName);
      assert.equal(item.md5, createHash('md5').update(original).digest('hex'), item.originalName);
      assert.equal(item.pdq.hash, caseFolder.db.getItem(item.id).pdqHash);
      assert.match(item.pdq.hash, /^[0-9a-f]{64}$/);
      assert.equal(item.pdq.reliable, item.pdq.quality > 49);
      assert.equal(item.integrity.ok, true);
    }
    const dogItem = report.items.find((item) => item.id === dog.id)!;
    assert.deepEqual(dogItem.category, { code: 'CAT-5', label: 'not pertinent' });
    assert.deepEqual(
      dogItem.tags.map((t) => [t.kind, t.value, t.comment, t.examiner]),
      [['category', 'CAT-5', 'stock photo', 'alice']],
    );

    const cropItem = report.items.find((item) => item.id === crop.id)!;
    assert.deepEqual(
      cropItem.tags.map((t) => [t.kind, t.value, t.comment]),
      [['user', 'needs-second-look', 'cropped from a larger picture']],
    );
    assert.deepEqual(
      cropItem.notes.map((n) => [n.text, n.examiner]),
      [['Same cat as in skimage-chelsea.png', 'bob']],
    );
    assert.equal(cropItem.purificationRuns.length, 2);
    const [plain, overridden] = cropItem.purificationRuns;
    for (const run of [plain, overridden]) {
      const stored = await readFile(caseFolder.store.absolutePath(run.output.storePath!));
      assert.equal(run.output.sha256, sha256Of(stored));
      assert.equal(run.output.integrityOk, true);
      assert.equal(run.pdqDistance, pdqHammingDistance(cropItem.pdq.hash, run.output.pdqHash));
      assert.equal(run.pdqSamePicture, run.pdqDistance <= 31);
      assert.deepEqual(run.bundle, { id: 'tiny-bundle', manifestSha256: sha256Of(await readFile(join(bundle.path, 'manifest.json'))) });
      assert.equal(run.seed, bundle.manifest.parameters.seed);
      assert.equal(run.parameters.maxIterations, FAST_PURIFICATION.maxIterations);
      assert.deepEqual(
        run.clusterDistances.map((c) => c.id),
        bundle.clusters.map((c) => c.id),
      );
      assert.ok(run.timingsMs.total > 0);
      for (const verdicts of [run.verdictsBefore, run.verdictsAfter]) {
        assert.equal(verdicts.length, 1);
        assert.deepEqual([verdicts[0].modelId, verdicts[0].modelWeightsSha256], ['nsfwjs-mobilenet-v2', model.identity.weightSha256]);
        assert.ok(Math.abs(Object.values(verdicts[0].scores).reduce((a, b) => a + b, 0) - 1) < 1e-6);
      }
    }
    assert.deepEqual([plain.overridden, plain.override, plain.usedCluster], [false, null, plain.chosenCluster]);
    assert.equal(plain.chosenCluster.id, bundle.clusters[plain.chosenCluster.index].id);
    assert.deepEqual([overridden.overridden, overridden.override], [true, { examiner: 'carol', reason: 'fur reads as texture' }]);
    assert.notEqual(overridden.usedCluster.index, overridden.chosenCluster.index);
    assert.deepEqual(report.bundles, [{ id: 'tiny-bundle', manifestSha256: bundle.manifestSha256, runs: 2 }]);
    assert.deepEqual(report.models, [{ id: 'nsfwjs-mobilenet-v2', weightsSha256: model.identity.weightSha256, verdicts: 4 }]);

    const limitations = report.limitations.join('\n');
    for (const topic of [/BPDA/, /PDQ/, /does not prove/, /never modified/]) assert.match(limitations, topic);
    assert.match(report.selfVerification, /SHA-256/);
  });

  it("records each report file's SHA-256 in the case, equal to the file's, with a 'report' audit entry", async () => {
    const records = caseFolder.db.reports();
    assert.equal(records.length, 3);
    // One export, one report id: its three files carry it, each recorded under '<id>.<format>'.
    assert.equal(new Set(written.map((report) => report.reportId)).size, 1);
    for (const report of written) {
      assert.equal(report.recordUid, `${report.reportId}.${report.format}`);
      const record = records.find((r) => r.reportUid === report.recordUid)!;
      assert.equal(record.sha256, sha256Of(await readFile(report.path)), report.format);
      assert.deepEqual([record.format, record.path, record.examiner], [report.format, report.path, 'dana']);
      const entry = [...caseFolder.db.auditRows({ subject: `report:${report.recordUid}` })];
      assert.deepEqual(
        entry.map((e) => [e.action, JSON.parse(e.parameters).sha256]),
        [['report', record.sha256]],
      );
    }
    assert.equal((await caseFolder.verify({ examiner: 'dana' })).ok, true);
  });

  it('the HTML report is one self-contained file: nothing external, thumbnails as data: URIs, blurred and grey by default', async () => {
    const html = await readFile(byFormat('html').path, 'utf8');
    const outside = /https?:|ftp:|file:|\/\/[a-z]|<script|<link|<iframe|<object|<embed|url\(|@import/i.exec(
      html.replace(/data:image\/jpeg;base64,[A-Za-z0-9+/=]+/g, 'data:'),
    );
    assert.equal(outside, null, `the HTML refers outside itself: ${outside?.[0]}`);
    for (const match of html.matchAll(/\ssrc="([^"]*)"/g)) assert.match(match[1], /^data:image\/jpeg;base64,/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.ok(html.includes(byFormat('html').reportId));
    assert.ok(html.includes('Reported uploads &lt;batch 7&gt;'), 'text is escaped');
    assert.ok(!html.includes('<batch 7>'));
    assert.match(html, /id="verification-result">Verification passed/);
    assert.ok(html.includes('fur reads as texture'));

    const blurred = htmlThumbnails(html);
    assert.equal(blurred.size, photos.length + 1 + 2, 'every item and every purified output');

    // The same case with --no-blur: same thumbnails, revealed.
    const [revealedReport] = await writeReports(caseFolder, [{ format: 'html', path: join(root, 'revealed.html') }], { examiner: 'dana', blur: false });
    const revealedHtml = await readFile(revealedReport.path, 'utf8');
    assert.match(revealedHtml, /UNBLURRED/);
    const revealed = htmlThumbnails(revealedHtml);
    assert.deepEqual([...revealed.keys()].sort(), [...blurred.keys()].sort());

    for (const key of [`item:${dog.id}`, `item:${crop.id}`, ...[...blurred.keys()].filter((k) => k.startsWith('run:'))]) {
      const soft = await pixelStatistics(blurred.get(key)!);
      const sharpStats = await pixelStatistics(revealed.get(key)!);
      assert.deepEqual([soft.width, soft.height], [sharpStats.width, sharpStats.height], key);
      assert.ok(soft.chroma < 1, `${key}: blurred thumbnail is greyscale (chroma ${soft.chroma})`);
      assert.ok(soft.detail < 0.5 * sharpStats.detail, `${key}: blurred detail ${soft.detail.toFixed(2)} vs revealed ${sharpStats.detail.toFixed(2)}`);
    }
    const dogRevealed = await pixelStatistics(revealed.get(`item:${dog.id}`)!);
    assert.ok(dogRevealed.chroma > 10, `the revealed colour photo keeps its colour (chroma ${dogRevealed.chroma})`);
    assert.ok(Math.max(dogRevealed.width, dogRevealed.height) <= 160);
  });

  it('the PDF report opens: every page renders with pdftoppm, and its text holds the report', async () => {
    const pdfPath = byFormat('pdf').path;
    const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [pdfPath]))![1]);
    assert.ok(pages >= 3, `${pages} pages`);
    const prefix = join(root, 'pdf-page');
    poppler('pdftoppm', ['-png', '-r', '50', pdfPath, prefix]);
    const images = (await readdir(root)).filter((name) => name.startsWith('pdf-page') && name.endsWith('.png'));
    assert.equal(images.length, pages);
    for (const image of images) {
      const stats = await sharp(join(root, image)).stats();
      assert.ok(stats.channels[0].min < 100, `${image} has dark content (text)`);
      assert.ok(stats.channels[0].mean > 180, `${image} is mostly page, not a dark smear`);
    }
    // The thumbnails embedded in the PDF: one-channel (grey) JPEGs by default, colour with --no-blur.
    const imageColours = (path: string) =>
      poppler('pdfimages', ['-list', path])
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((line) => line.trim().split(/\s+/)[5]);
    assert.deepEqual(new Set(imageColours(pdfPath)), new Set(['gray']));
    assert.equal(imageColours(pdfPath).length, photos.length + 1 + 2);
    const [revealedPdf] = await writeReports(caseFolder, [{ format: 'pdf', path: join(root, 'revealed.pdf') }], { examiner: 'dana', blur: false });
    assert.ok(imageColours(revealedPdf.path).includes('rgb'));
    assert.match(poppler('pdftotext', [revealedPdf.path, '-']), /UNBLURRED/);

    const text = poppler('pdftotext', ['-layout', pdfPath, '-']);
    for (const expected of [
      byFormat('pdf').reportId,
      'R-2026/7',
      'Reported uploads <batch 7>',
      'T&S escalations',
      'Verification passed',
      'darknet-dog.jpg',
      'fur reads as texture',
      'Limitations',
      dog.sha256,
      'nsfwjs-mobilenet-v2',
      // the model as people read it, beside its id
      'NSFW filter',
    ]) {
      assert.ok(text.includes(expected), `PDF text contains ${expected}`);
    }
    assert.match(text, new RegExp(`page 1 of ${pages}`));
  });

  it('the command line writes the formats it is asked for, from --format and from --out extensions', async () => {
    const out = join(root, 'cli-report.json');
    const result = runAcsr(['case', 'report', '--case', caseFolder.folder, '--out', out, '--format', 'html', '--examiner', 'erin', '--no-blur', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.lastLine);
    assert.deepEqual(
      summary.reports.map((r: { format: string }) => r.format),
      ['json', 'html'],
    );
    const html = summary.reports[1];
    assert.ok(html.path.startsWith(join(caseFolder.folder, 'reports')));
    assert.match(await readFile(html.path, 'utf8'), /UNBLURRED/);
    for (const report of summary.reports)
      assert.equal(sha256Of(await readFile(report.path)), caseFolder.db.reports().find((r) => r.reportUid === report.recordUid)!.sha256);
    assert.equal((await readJsonReport(out)).examiner, 'erin');

    const wrong = runAcsr(['case', 'report', '--case', caseFolder.folder, '--out', join(root, 'report.txt'), '--examiner', 'erin']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /\.html, \.pdf or \.json/);
  });

  it('a tampered evidence file makes every format say that verification failed, and shows no thumbnail of it', async () => {
    const path = caseFolder.store.absolutePath(dog.storePath);
    await chmod(path, 0o644);
    const bytes = await readFile(path);
    bytes[bytes.length >> 1] ^= 0x01;
    await writeFile(path, bytes);

    const reports = await writeReports(
      caseFolder,
      ['json', 'html', 'pdf'].map((format) => ({ format: format as 'json', path: join(root, `tampered.${format}`) })),
      { examiner: 'dana' },
    );
    const report = await readJsonReport(reports[0].path);
    assert.equal(report.verification.ok, false);
    assert.match(report.verification.firstBrokenLink!, new RegExp(`item ${dog.id} .*altered`));
    const dogItem = report.items.find((item) => item.id === dog.id)!;
    assert.equal(dogItem.integrity.ok, false);
    assert.match(dogItem.integrity.problem!, /altered/);
    assert.equal(report.summary.itemsFailingIntegrity, 1);
    assert.ok(report.items.filter((item) => item.id !== dog.id).every((item) => item.integrity.ok));

    const html = await readFile(reports[1].path, 'utf8');
    assert.match(html, /class="banner failed" id="verification-result">VERIFICATION FAILED/);
    const thumbnails = htmlThumbnails(html);
    assert.equal(thumbnails.has(`item:${dog.id}`), false);
    assert.equal(thumbnails.has(`item:${crop.id}`), true);
    assert.match(poppler('pdftotext', [reports[2].path, '-']), /VERIFICATION FAILED/);
    // The reports are still recorded: a failed check is part of the record too.
    for (const written of reports)
      assert.equal(caseFolder.db.reports().find((r) => r.reportUid === written.recordUid)!.sha256, sha256Of(await readFile(written.path)));
  });

  it('a case with no evidence yet still gets a complete report in every format', async () => {
    const empty = await CaseFolder.create(join(root, 'empty-case'), { number: 'E-1', title: 'nothing imported', examiner: 'alice' });
    try {
      const reports = await writeReports(
        empty,
        ['json', 'html', 'pdf'].map((format) => ({ format: format as 'json', path: join(root, `empty.${format}`) })),
        { examiner: 'alice' },
      );
      const report = await readJsonReport(reports[0].path);
      assert.deepEqual([report.items, report.bundles, report.models, report.verification.ok], [[], [], [], true]);
      assert.match(await readFile(reports[1].path, 'utf8'), /Verification passed/);
      assert.match(poppler('pdftotext', [reports[2].path, '-']), /E-1/);
      assert.equal(empty.db.reports().length, 3);
    } finally {
      empty.close();
    }
  });
});
