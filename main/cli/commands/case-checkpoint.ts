import { defineCommand } from '../command.ts';
import { caseOption, examinerOption, withCase } from './case-options.ts';

export const caseCheckpointCommand = defineCommand({
  name: 'checkpoint',
  summary: "sign the audit chain's head with the examiner's key, so that a rebuilt or shortened chain shows",
  description:
    "Signs \"entry N of this case's chain has hash H\" with the examiner's Ed25519 key, made on first use in the examiner's own configuration folder ($ACSR_HOME/keys, else ~/.config/acsr-workstation/keys; readable by its owner only). The public key is recorded in the case, the checkpoint in the case and in the examiner's own checkpoint journal. 'acsr case report' signs one after every report.",
  examples: ['acsr case checkpoint --case cases/2026-0042 --examiner "A. Jones"'],
  options: { case: caseOption, examiner: examinerOption },
  async run({ options, print, note }) {
    return withCase(options.case, note, async (caseFolder) => {
      const checkpoint = caseFolder.checkpoint(options.examiner);
      print(`checkpoint  entry ${checkpoint.sequence}, head ${checkpoint.headSha256}`);
      print(`signed by   ${checkpoint.examiner} (OS user ${checkpoint.osUser}) with key ${checkpoint.keyFingerprint} on ${checkpoint.signedAt}`);
      return { checkpoint };
    });
  },
});
