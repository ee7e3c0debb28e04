/**
 * The words a person should never read on a screen or in a report: schema paths ("→ at
 * sources[0]", "jobs.start: ✖ …"), internal ids without a human name ("job:3", "item:13", a
 * registry model id as the headline), and this project's process words ("issue", "job:"). Used
 * by the test that walks every screen and reads the reports; its own unit test feeds it bad text,
 * so it is known to catch what it claims to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/shared-data.ts';

export interface Finding {
  /** Where the text came from ("cases list", "HTML report"). */
  where: string;
  rule: string;
  /** The offending line, as it reads. */
  line: string;
}

const LINE_RULES: readonly { rule: string; pattern: RegExp }[] = [
  { rule: 'schema path', pattern: /→ at\b/ },
  { rule: 'schema path', pattern: /✖/ },
  { rule: 'schema path', pattern: /\b[A-Za-z]\w*\[\d+\]/ },
  { rule: 'schema path', pattern: /\b(?:jobs|cases|evidence|app|training|evaluation|purification|dialog)\.[a-z][A-Za-z]+: / },
  { rule: 'zod wording', pattern: /Invalid input|Too (?:small|big): expected/ },
  { rule: 'internal id', pattern: /\b(?:job|item|run|tag|report):\d+/ },
  { rule: 'process word', pattern: /\bjob:/i },
  { rule: 'process word', pattern: /\bissues?\b/i },
  { rule: 'internal error text', pattern: /\binternal error\b/i },
];

/** The registry's model ids: shown only after "model id" or "id", in a details line, never as the name. */
function registeredModelIds(): string[] {
  const registry = JSON.parse(readFileSync(join(repoRoot, 'models', 'registry.json'), 'utf8')) as { models: { id: string }[] };
  return registry.models.map((model) => model.id);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function findDeveloperLanguage(where: string, text: string, modelIds: readonly string[] = registeredModelIds()): Finding[] {
  const findings: Finding[] = [];
  // Longest first, so that "nsfwjs-mobilenet-v2-mid" is not read as "nsfwjs-mobilenet-v2".
  const ids = [...modelIds].sort((a, b) => b.length - a.length).map(escape);
  // Labelled as an id ("model id X", a table's "Id" cell before it) it is a detail, which is where ids belong.
  const bareModelId = ids.length ? new RegExp(`(?<![\\w-])(?<!\\b[Ii]d[\\s:]*)(?:${ids.join('|')})(?![\\w-])`) : null;
  for (const line of text.split('\n')) {
    for (const { rule, pattern } of LINE_RULES) {
      if (pattern.test(line)) findings.push({ where, rule, line: line.trim() });
    }
    if (bareModelId?.test(line)) findings.push({ where, rule: 'model id without its name', line: line.trim() });
  }
  return findings;
}

export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((finding) => `${finding.where}: ${finding.rule}: "${finding.line.slice(0, 200)}"`).join('\n');
}
