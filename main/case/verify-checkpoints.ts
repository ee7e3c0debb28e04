/**
 * Checks every signed checkpoint against the chain as it is now: the signature must hold with
 * the examiner's recorded public key, and the chain must still have, at the signed sequence, the
 * signed hash. Checkpoints this workstation's examiners signed are also read from their own
 * journals (checkpoints.ts), which a deletion in the case folder does not reach.
 */
import type { CheckpointRecord, ExaminerKeyRecord } from './records.ts';
import { sameName } from './chain-replay.ts';
import { signatureHolds, type JournalCheckpoint } from './checkpoints.ts';
import { publicKeyFingerprint } from './signing-keys.ts';
import type { VerificationProblem } from './verification-problem.ts';

export interface CheckpointSummary {
  sequence: number;
  headSha256: string;
  examiner: string;
  signedAt: string;
  keyFingerprint: string;
}

export interface CheckpointCheck {
  problems: VerificationProblem[];
  /** Checkpoints in the case whose signature holds and whose head is in the chain. */
  valid: number;
  latest: CheckpointSummary | null;
}

export function verifyCheckpoints(input: {
  caseNumber: string;
  /** sequence -> entry hash, in chain order, as stored now. */
  chain: Map<number, string>;
  checkpoints: CheckpointRecord[];
  keys: ExaminerKeyRecord[];
  journal: JournalCheckpoint[];
}): CheckpointCheck {
  const problems: VerificationProblem[] = [];
  const firstEntrySha256 = input.chain.get(1) ?? '';
  const lastSequence = Math.max(0, ...input.chain.keys());
  const keys = new Map(input.keys.map((key) => [key.fingerprint, key]));
  let valid = 0;
  let latest: CheckpointSummary | null = null;

  const checkHead = (checkpoint: Omit<CheckpointRecord, 'id'>, where: string): boolean => {
    const stored = input.chain.get(checkpoint.sequence);
    if (stored === undefined) {
      problems.push({
        kind: 'checkpoint',
        where,
        reason: `${checkpoint.examiner} signed entry ${checkpoint.sequence} (head ${checkpoint.headSha256}) on ${checkpoint.signedAt}, but the chain now ends at entry ${lastSequence}: entries ${lastSequence + 1}..${checkpoint.sequence} and the rows they recorded were deleted`,
        auditSequence: checkpoint.sequence,
      });
      return false;
    }
    if (stored !== checkpoint.headSha256) {
      problems.push({
        kind: 'checkpoint',
        where,
        reason: `${checkpoint.examiner} signed entry ${checkpoint.sequence} with hash ${checkpoint.headSha256} on ${checkpoint.signedAt}, but that entry's hash is now ${stored}: the chain up to there was rewritten`,
        auditSequence: checkpoint.sequence,
      });
      return false;
    }
    return true;
  };
  const statementOf = (checkpoint: Omit<CheckpointRecord, 'id'>) => ({
    case: input.caseNumber,
    firstEntrySha256,
    sequence: checkpoint.sequence,
    headSha256: checkpoint.headSha256,
    signedAt: checkpoint.signedAt,
    examiner: checkpoint.examiner,
  });

  for (const checkpoint of input.checkpoints) {
    const where = `checkpoint ${checkpoint.id} (entry ${checkpoint.sequence}, signed by ${checkpoint.examiner} on ${checkpoint.signedAt})`;
    if (publicKeyFingerprint(checkpoint.publicKey) !== checkpoint.keyFingerprint) {
      problems.push({
        kind: 'checkpoint',
        where,
        reason: `its public key does not have the fingerprint ${checkpoint.keyFingerprint} it claims: the checkpoint was altered`,
      });
      continue;
    }
    const key = keys.get(checkpoint.keyFingerprint);
    if (!key) {
      // Still checked below with its own copy of the key: a chain cut short takes the key's entry with it.
      problems.push({
        kind: 'checkpoint',
        where,
        reason: `signed with key ${checkpoint.keyFingerprint}, which the case's signing keys no longer record (the entry that recorded it is gone)`,
      });
    } else if (!sameName(key.examiner, checkpoint.examiner)) {
      problems.push({
        kind: 'checkpoint',
        where,
        reason: `signed with key ${checkpoint.keyFingerprint}, which the case records for ${JSON.stringify(key.examiner)}, not for ${JSON.stringify(checkpoint.examiner)}`,
      });
      continue;
    }
    if (!signatureHolds(statementOf(checkpoint), checkpoint.signature, checkpoint.publicKey)) {
      problems.push({
        kind: 'checkpoint',
        where,
        reason: `the signature does not hold for this case's chain: the checkpoint was altered, or the chain's first entry (hash ${firstEntrySha256}) is not the one that was signed, i.e. the chain was rebuilt`,
        auditSequence: checkpoint.sequence,
      });
      continue;
    }
    if (!checkHead(checkpoint, where) || !key) continue;
    valid++;
    if (!latest || checkpoint.sequence >= latest.sequence) {
      latest = {
        sequence: checkpoint.sequence,
        headSha256: checkpoint.headSha256,
        examiner: checkpoint.examiner,
        signedAt: checkpoint.signedAt,
        keyFingerprint: checkpoint.keyFingerprint,
      };
    }
  }

  const inCase = new Set(input.checkpoints.map((checkpoint) => checkpoint.signature));
  for (const line of input.journal) {
    if (inCase.has(line.signature)) continue;
    const where = `the checkpoint ${line.examiner} signed on this workstation on ${line.signedAt} (entry ${line.sequence})`;
    if (publicKeyFingerprint(line.publicKey) !== line.keyFingerprint || !signatureHolds(statementOf(line), line.signature, line.publicKey)) continue; // a journal line about another case or a damaged line proves nothing
    problems.push({
      kind: 'checkpoint',
      where,
      reason: `it is missing from the case's checkpoints: it was deleted from case.sqlite, or this is an older copy of the case`,
      auditSequence: line.sequence,
    });
    checkHead(line, where);
  }
  return { problems, valid, latest };
}
