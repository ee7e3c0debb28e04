/**
 * Signed checkpoints: an examiner's Ed25519 signature over "entry N of this case's chain has
 * hash H". The chain alone proves only that it is self-consistent: whoever can write case.sqlite
 * can delete its tail or rebuild it from the first entry with every hash recomputed. A checkpoint
 * cannot be remade without the examiner's private key, which stays in the examiner's own
 * configuration folder, so a chain cut short or rebuilt under a checkpoint no longer matches it.
 *
 * Each checkpoint is kept twice: in the case (checkpoints table, next to the public key in
 * examiner_keys) and in the signer's own journal, $ACSR_HOME/checkpoints/<first entry's hash>.jsonl,
 * which survives even a deletion of the case's checkpoints table.
 *
 * The signed bytes are the UTF-8 of
 *   canonicalJson({ format: 'acsr-checkpoint-1', case, firstEntrySha256, sequence, headSha256, signedAt, examiner })
 * (see canonical-json.ts), so anyone can check a signature with the public key and any Ed25519 tool.
 */
import { sign, verify } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import type { CaseDatabase } from './case-database.ts';
import type { CheckpointRecord } from './records.ts';
import { canonicalJson } from './canonical-json.ts';
import { currentOsUser } from './os-user.ts';
import { configHome, examinerKey, publicKeyFrom } from './signing-keys.ts';
import { normaliseName } from './text-safety.ts';

export interface CheckpointStatement {
  case: string;
  firstEntrySha256: string;
  sequence: number;
  headSha256: string;
  signedAt: string;
  examiner: string;
}

export function checkpointPayload(statement: CheckpointStatement): Buffer {
  const { case: caseNumber, firstEntrySha256, sequence, headSha256, signedAt, examiner } = statement;
  return Buffer.from(canonicalJson({ format: 'acsr-checkpoint-1', case: caseNumber, firstEntrySha256, sequence, headSha256, signedAt, examiner }), 'utf8');
}

export function signatureHolds(statement: CheckpointStatement, signatureBase64: string, publicKeyBase64: string): boolean {
  try {
    return verify(null, checkpointPayload(statement), publicKeyFrom(publicKeyBase64), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export function journalFileOf(firstEntrySha256: string, home = configHome()): string {
  return join(home, 'checkpoints', `${firstEntrySha256}.jsonl`);
}

/** A journal line: the checkpoint as stored, plus what it was about. */
export interface JournalCheckpoint extends Omit<CheckpointRecord, 'id'> {
  case: string;
  firstEntrySha256: string;
  caseFolder: string;
}

/**
 * Signs the chain's current head with the examiner's key (made on first use; its public half is
 * recorded in the case before signing, so the checkpoint covers that entry too).
 */
export function signCheckpoint(db: CaseDatabase, typedExaminer: string, options: { caseFolder: string; home?: string }): CheckpointRecord {
  const examiner = normaliseName(typedExaminer, 'examiner name');
  const home = options.home ?? configHome();
  const key = examinerKey(examiner, home);
  db.recordExaminerKey({ examiner, publicKey: key.publicKey, fingerprint: key.fingerprint });
  const head = db.auditHead();
  const first = db.auditFirst();
  if (!head || !first) throw new UserInputError('the case has no audit entries to sign');
  const statement: CheckpointStatement = {
    case: db.getCase().number,
    firstEntrySha256: first.sha256,
    sequence: head.sequence,
    headSha256: head.sha256,
    signedAt: new Date().toISOString(),
    examiner,
  };
  const signature = sign(null, checkpointPayload(statement), key.privateKey).toString('base64');
  const record = db.recordCheckpoint({
    sequence: statement.sequence,
    headSha256: statement.headSha256,
    signedAt: statement.signedAt,
    examiner,
    osUser: currentOsUser(),
    keyFingerprint: key.fingerprint,
    publicKey: key.publicKey,
    signature,
  });
  const journal = journalFileOf(first.sha256, home);
  mkdirSync(join(home, 'checkpoints'), { recursive: true, mode: 0o700 });
  const line: JournalCheckpoint = { ...withoutId(record), case: statement.case, firstEntrySha256: first.sha256, caseFolder: options.caseFolder };
  appendFileSync(journal, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  return record;
}

/** Checkpoints this machine's examiners signed for the case whose first entry has this hash. */
export function journalCheckpoints(firstEntrySha256: string, home = configHome()): JournalCheckpoint[] {
  let text: string;
  try {
    text = readFileSync(journalFileOf(firstEntrySha256, home), 'utf8');
  } catch {
    return [];
  }
  const lines: JournalCheckpoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line) as JournalCheckpoint);
    } catch {
      // A line cut short by a crash while appending: the lines before it still count.
    }
  }
  return lines;
}

function withoutId({ id: _id, ...rest }: CheckpointRecord): Omit<CheckpointRecord, 'id'> {
  return rest;
}
