import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { auditEntryHash, checkAuditChain, GENESIS_SHA256, type StoredAuditRow } from '../../main/case/audit-chain.ts';
import { canonicalJson } from '../../main/case/canonical-json.ts';

function chain(count: number): StoredAuditRow[] {
  const rows: StoredAuditRow[] = [];
  let previousSha256 = GENESIS_SHA256;
  for (let sequence = 1; sequence <= count; sequence++) {
    const parameters = { index: sequence, note: `entry ${sequence}`, nested: { b: 2, a: [1, 'x'] } };
    const content = {
      sequence,
      time: `2026-01-01T00:00:0${sequence % 10}.000Z`,
      examiner: 'alice',
      action: 'tag',
      subject: `item:${sequence}`,
      parameters,
      previousSha256,
    };
    const sha256 = auditEntryHash(content);
    rows.push({ ...content, parameters: canonicalJson(parameters), sha256 });
    previousSha256 = sha256;
  }
  return rows;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace, so key order never changes a hash', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [true, null], c: 'é' } }), '{"a":{"c":"é","d":[true,null]},"b":1}');
    assert.equal(canonicalJson({ z: 1, a: 2 }), canonicalJson({ a: 2, z: 1 }));
  });

  it('refuses values JSON cannot carry faithfully', () => {
    assert.throws(() => canonicalJson({ residual: Number.NaN }), /\$\.residual is NaN/);
    assert.throws(() => canonicalJson({ when: new Date(0) }), /Date/);
    assert.throws(() => canonicalJson({ big: 1n }), /bigint/);
  });
});

describe('audit chain', () => {
  it('hashes exactly the documented serialisation', () => {
    const content = {
      sequence: 1,
      time: '2026-01-01T00:00:00.000Z',
      examiner: 'alice',
      action: 'case-create',
      subject: 'case:1',
      parameters: { b: 1, a: 2 },
      previousSha256: GENESIS_SHA256,
    };
    const documented = `{"action":"case-create","examiner":"alice","parameters":{"a":2,"b":1},"previousSha256":"${GENESIS_SHA256}","sequence":1,"subject":"case:1","time":"2026-01-01T00:00:00.000Z"}`;
    assert.equal(auditEntryHash(content), createHash('sha256').update(documented).digest('hex'));
  });

  it('accepts an intact chain and reports its head', () => {
    const rows = chain(5);
    assert.deepEqual(checkAuditChain(rows), { entries: 5, headSha256: rows[4].sha256, broken: null });
  });

  it('names the first altered entry, whichever field was changed', () => {
    for (const tamper of [
      (row: StoredAuditRow) => (row.examiner = 'mallory'),
      (row: StoredAuditRow) => (row.time = '2027-01-01T00:00:00.000Z'),
      (row: StoredAuditRow) => (row.parameters = row.parameters.replace('entry 3', 'entry X')),
      (row: StoredAuditRow) => (row.action = 'note'),
    ]) {
      const rows = chain(6);
      tamper(rows[2]);
      const check = checkAuditChain(rows);
      assert.equal(check.broken?.sequence, 3);
      assert.match(check.broken!.reason, /does not match its hash/);
    }
  });

  it('catches a rewritten entry whose own hash was recomputed, at the next link', () => {
    const rows = chain(6);
    const { sha256: _old, parameters, ...content } = rows[2];
    const forged = { ...content, examiner: 'mallory' };
    rows[2] = { ...forged, parameters, sha256: auditEntryHash({ ...forged, parameters: JSON.parse(parameters) }) };
    const check = checkAuditChain(rows);
    assert.equal(check.broken?.sequence, 4);
    assert.match(check.broken!.reason, /previous-entry hash/);
  });

  it('catches deleted entries in the middle and unparseable parameters', () => {
    const rows = chain(6);
    rows.splice(1, 2);
    assert.deepEqual(checkAuditChain(rows).broken, { sequence: 4, reason: 'entries 2..3 are missing (deleted)' });
    const garbled = chain(3);
    garbled[1].parameters = '{not json';
    assert.deepEqual(checkAuditChain(garbled).broken, { sequence: 2, reason: 'parameters are not valid JSON' });
  });
});
