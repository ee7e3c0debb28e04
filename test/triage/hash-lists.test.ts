// Reading known-content hash lists: text/CSV (kinds told by length, header rows, comments,
// quoting, several hash columns), Project VIC JSON (hash-set and case shapes), refusals that name
// the line and the reason, the same result whatever the chunking, and the list's SHA-256.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { matchExactHashes } from '../../main/triage/exact-matching.ts';
import type { HashList } from '../../main/triage/hash-list.ts';
import { unpackPdqHex } from '../../main/triage/packed-pdq.ts';
import { readHashList, readHashListFile, type ReadHashListOptions } from '../../main/triage/read-hash-list.ts';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

function read(text: string, options: ReadHashListOptions = {}, chunkSize = text.length || 1): Promise<HashList> {
  const bytes = Buffer.from(text);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  return readHashList(chunks, { name: 'list.csv', ...options });
}

async function refusal(text: string, options: ReadHashListOptions = {}): Promise<string> {
  try {
    await read(text, options);
  } catch (error) {
    assert.ok(error instanceof UserInputError, `expected a UserInputError, got ${error}`);
    return error.message;
  }
  assert.fail('the list was accepted');
}

/** Everything a list holds, as plain data, for comparing two reads. */
function contents(list: HashList) {
  return {
    counts: list.counts,
    entries: Array.from({ length: list.entryCount }, (_, k) => list.entry(k)),
    pdq: Array.from({ length: list.pdq.count }, (_, k) => [unpackPdqHex(list.pdq.words, k * 8), list.pdq.entryOfRow[k]]),
    md5: [...list.exact.md5],
    sha1: [...list.exact.sha1],
    sha256: [...list.exact.sha256],
  };
}

describe('text and CSV hash lists', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'hash-lists-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('tells MD5 and SHA-1 by length and keeps category and source', async () => {
    const text = `# exported 2024-06-01\n\n${MD5.toUpperCase()},CAT-1,agency A\n${SHA1}\tCAT-2\n${MD5},dup\n`;
    const list = await read(text);
    assert.deepEqual(list.counts, { pdq: 0, md5: 1, sha1: 1, sha256: 0 });
    assert.equal(list.duplicates, 1);
    assert.equal(list.format, 'text');
    assert.deepEqual(list.entry(list.lookup('md5', MD5)!), { line: 3, category: 'CAT-1', source: 'agency A' });
    assert.deepEqual(list.entry(list.lookup('sha1', SHA1.toUpperCase())!), { line: 4, category: 'CAT-2', source: null });
    assert.equal(list.sha256, createHash('sha256').update(text).digest('hex'));
    assert.deepEqual(
      matchExactHashes([{ md5: MD5 }, { sha1: SHA1, sha256: SHA256 }, {}], list).map(({ item, kind }) => `${item}:${kind}`),
      ['0:md5', '1:sha1'],
    );
  });

  it('needs a header or the importer to say whether 64 characters are PDQ or SHA-256', async () => {
    assert.match(await refusal(`${MD5}\n${PDQ},x\n`), /^list\.csv line 2: a 64-character hash can be PDQ or SHA-256/);
    const asPdq = await read(`${PDQ},x\n`, { sixtyFourHexIs: 'pdq' });
    assert.equal(unpackPdqHex(asPdq.pdq.words, 0), PDQ);
    assert.deepEqual((await read(`${SHA256}\n`, { sixtyFourHexIs: 'sha256' })).counts, { pdq: 0, md5: 0, sha1: 0, sha256: 1 });
    const headed = await read(`"PDQ Hash","Quality",Label,Origin\n${PDQ},100,"Cat, one","a ""quoted"" source"\n`);
    assert.deepEqual(headed.counts, { pdq: 1, md5: 0, sha1: 0, sha256: 0 });
    assert.deepEqual(headed.entry(0), { line: 2, category: 'Cat, one', source: 'a "quoted" source' });
  });

  it('reads several hash columns and a kind column', async () => {
    const list = await read(`md5,sha1,sha256,category\n${MD5},${SHA1},${SHA256},A\n,${SHA1.replace('d', 'e')},,B\n`);
    assert.deepEqual(list.counts, { pdq: 0, md5: 1, sha1: 2, sha256: 1 });
    assert.equal(list.lookup('sha256', SHA256), 0);
    const kinds = await read(`type,hash,category\npdq,${PDQ},A\nSHA-256,${SHA256},B\nmd5,${MD5},C\n`);
    assert.deepEqual(kinds.counts, { pdq: 1, md5: 1, sha1: 0, sha256: 1 });
  });

  it('refuses a malformed line with its number and the reason', async () => {
    const good = `# header comment\n${MD5},A\n`;
    const cases: Array<[string, RegExp]> = [
      [`${good}${MD5.slice(0, 31)}z,B\n`, /^list\.csv line 3: '.*' is not a hash: it has characters that are not hexadecimal$/],
      [
        `${good}${MD5}0,B\n`,
        /^list\.csv line 3: '.*' is not a hash: expected 32 \(MD5\), 40 \(SHA-1\) or 64 \(PDQ or SHA-256\) hexadecimal characters, found 33$/,
      ],
      [`${good}${MD5},B,C,D\n`, /^list\.csv line 3: expected hash\[,category\[,source\]\] but found 4 fields$/],
      [`${good},B\n`, /^list\.csv line 3: no hash on this line$/],
      [`${good}"${MD5},B\n`, /^list\.csv line 3: a quoted field is not closed$/],
      [`md5,category\n${MD5},A\n\n${SHA1},B\n`, /^list\.csv line 4: '.*' is not a MD5 hash: expected 32 hexadecimal characters, found 40$/],
      [`type,hash\nsha512,${MD5}\n`, /^list\.csv line 2: 'sha512' is not a hash kind/],
      [`filename,notes\na.jpg,x\n`, /^list\.csv line 1: 'filename,notes' is neither a hash .* nor a header naming a hash column/],
      [`# only comments\n\n`, /^list\.csv: the list has no hashes$/],
      ['', /^list\.csv: the list is empty$/],
    ];
    for (const [text, expected] of cases) assert.match(await refusal(text), expected);
    const bytes = Buffer.concat([Buffer.from(`${MD5}\n`), Buffer.from([0xff, 0xfe, 0x0a])]);
    await assert.rejects(readHashList([bytes], { name: 'list.csv' }), /^UserInputError: list\.csv: not UTF-8 text$/);
  });

  it('gives the same list whatever the chunks (lines and UTF-8 split across them)', async () => {
    const text = `\ufeffhash,category,source\r\n${MD5},Kätegorie ✓,quelle\r\n${SHA1},B\r\n${PDQ.toUpperCase()},C,x`;
    const whole = await read(text, { sixtyFourHexIs: 'pdq' });
    for (const chunkSize of [1, 3, 7, 64]) assert.deepEqual(contents(await read(text, { sixtyFourHexIs: 'pdq' }, chunkSize)), contents(whole));
    assert.equal(whole.entry(0).category, 'Kätegorie ✓');
    assert.equal(whole.entry(2).line, 4);
  });

  it('reads a file in a stream, reports progress, and stops when cancelled', async () => {
    const file = path.join(folder, 'pdq.txt');
    const lines = ['pdq'];
    for (let k = 0; k < 50_000; k++) lines.push(k.toString(16).padStart(64, '0'));
    writeFileSync(file, lines.join('\n'));
    const progress: number[] = [];
    const list = await readHashListFile(file, { onProgress: (bytes) => progress.push(bytes) });
    assert.equal(list.counts.pdq, 50_000);
    for (let k = 0; k < 50_000; k += 997) assert.equal(unpackPdqHex(list.pdq.words, k * 8), lines[k + 1]);
    assert.equal(unpackPdqHex(list.pdq.words, 49_999 * 8), lines[50_000]);
    assert.equal(progress.at(-1), list.byteLength);
    assert.equal(list.sha256, createHash('sha256').update(lines.join('\n')).digest('hex'));
    const controller = new AbortController();
    controller.abort(new Error('stopped by the user'));
    await assert.rejects(readHashListFile(file, { signal: controller.signal }), /stopped by the user/);
    await assert.rejects(readHashListFile(path.join(folder, 'missing.txt')), UserInputError);
  });
});

describe('Project VIC JSON hash lists', () => {
  const hashSet = {
    '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media',
    value: [
      {
        MediaID: 1,
        Category: 1,
        MD5: MD5.toUpperCase(),
        SHA1: SHA1.toUpperCase(),
        MediaSize: 2835,
        DateUpdated: '2023-06-07T02:31:49.8300Z',
        IsPrecategorized: 'true',
      },
      { MediaID: 2, Category: 0, MD5: MD5.replace('d', 'e'), Comments: 'a } and a { in text, and a "quoted" word' },
      { MediaID: 3, Category: null, PhotoDNA: 'AAAA' },
    ],
  };

  it('reads a hash set: MD5 and SHA-1 with categories, media without hashes skipped', async () => {
    const text = JSON.stringify(hashSet, null, 2);
    const list = await read(text, {}, 5);
    assert.equal(list.format, 'vics-json');
    assert.deepEqual(list.counts, { pdq: 0, md5: 2, sha1: 1, sha256: 0 });
    assert.equal(list.skippedRecords, 1);
    assert.deepEqual(list.entry(list.lookup('sha1', SHA1)!), { line: 4, category: '1', source: 'MediaID 1' });
    assert.deepEqual(list.entry(list.lookup('md5', MD5.replace('d', 'e'))!), { line: 13, category: '0', source: 'MediaID 2' });
    assert.equal(list.sha256, createHash('sha256').update(text).digest('hex'));
  });

  it('reads the case shape (media inside cases) and refuses a malformed hash with its line', async () => {
    const caseExport = {
      '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases',
      value: [{ CaseID: 'c-1', SourceApplicationName: 'x', Media: hashSet.value }],
    };
    const list = await read(JSON.stringify(caseExport, null, 1));
    assert.deepEqual(list.counts, { pdq: 0, md5: 2, sha1: 1, sha256: 0 });
    const broken = structuredClone(caseExport);
    broken.value[0].Media[1].MD5 = 'not-a-hash';
    assert.match(await refusal(JSON.stringify(broken, null, 1)), /^list\.csv line 17: MD5 "not-a-hash" is not a MD5 hash/);
    assert.match(await refusal('{"value": [{"MD5": "' + MD5 + '"}'), /^list\.csv line 1: the JSON ends before it is complete$/);
    assert.match(await refusal('{"odata.metadata": "x", "items": []}'), /not a Project VIC list/);
  });
});
