/**
 * What verification with signed checkpoints cannot detect, in the words the report prints and
 * docs/case-integrity.md explains. Everything else (a changed, inserted or deleted entry or
 * record, a replaced trigger, a damaged page, an edited report or evidence file, a chain cut
 * short or rebuilt under a checkpoint) is named by `acsr case verify`.
 */
export function auditLogLimitations(): string[] {
  return [
    "The audit log is a hash chain in the case database; every record (items, tags, categories, notes, purification runs, verdicts, reports, examiners, the case) is checked against the entry that created it, and the chain is anchored by signed checkpoints: Ed25519 signatures over the chain's latest entry, made with a key that stays in the signing examiner's own configuration folder and never enters the case folder. The latest checkpoint and its key fingerprint are printed under Verification.",
    'Entries written after the latest checkpoint are covered by no signature: someone with write access to the case folder can rewrite them, together with the records they created, consistently, or delete them, and verification cannot tell. The number of such entries is printed under Verification; a new checkpoint (acsr case checkpoint) covers them.',
    "Deleting the end of the chain together with every checkpoint that covers it is detected only where a copy of such a checkpoint survives: in the signing examiner's own checkpoint journal (checked when the case is verified on that examiner's computer), in a printed report, or in a copy of the head hash and checkpoint printed here.",
    "A signature proves possession of a private key, not identity: someone who holds an examiner's private key, or who rebuilds the chain and records a new key under an examiner's name, can sign a forged chain. Compare the key fingerprints printed here with the ones each examiner declares. Examiner names are typed by the examiner; the operating-system account recorded beside each entry names the computer account that wrote it, which is only as trustworthy as that computer.",
    'Bookkeeping is not covered by the chain: job progress and import outcomes, the purification timings, and the times of records, which are checked only to within a few seconds of their audit entries. For cases started with an earlier version of this program, decoder notes, cluster distances and output locations of earlier records were not chained.',
  ];
}
