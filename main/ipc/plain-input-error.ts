/**
 * What a person reads when the schema at the IPC boundary refuses a request: one sentence naming
 * the field in words and saying what to do ("The folder to import: give its full path, starting
 * with /."). Schema paths (`sources[0]`, `→ at bundleName`) and channel names stay in the log
 * line (`technicalInputError`), never on screen: they mean nothing to an investigator.
 */
import { z } from 'zod';

/** The request fields a person fills in, named as the screens name them. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  sources: 'The folder to import',
  labelledFolder: 'The labelled folder',
  bundleName: 'The bundle name',
  caseId: 'The case',
  number: 'The case number',
  title: 'The case title',
  requester: 'The requester',
  name: 'Your name',
  reason: 'The reason',
  cluster: 'The cluster',
  comment: 'The comment',
  tag: 'The tag',
  tags: 'The tag filter',
  text: 'The note',
  itemIds: 'The selection',
  kMax: 'The largest number of clusters per class',
  fixedK: 'The number of clusters per class',
  atoms: 'The number of patterns per cluster',
  atomSize: 'The pattern size',
  cdlIterations: 'The number of learning rounds',
  seed: 'The random seed',
  attacks: 'The attacks',
  defenses: 'The defenses',
  limit: 'The number of images',
  modelId: 'The model',
  extractorId: 'The model',
  classifierId: 'The content filter',
  bundleId: 'The reference bundle',
  formats: 'The report formats',
  path: 'The folder',
  address: 'The queue address',
  sharedFolder: 'The shared folder',
  search: 'The search',
  evaluationId: 'The evaluation',
};

const GENERIC =
  'The workstation could not read this request. Reload the window and try again; if it happens again, tell your administrator (the details are in the workstation log).';

/** The field a person would recognise: the nearest named key from the end of the issue's path. */
function fieldName(path: readonly PropertyKey[]): string | null {
  for (let index = path.length - 1; index >= 0; index--) {
    const key = path[index];
    if (typeof key === 'string' && Object.hasOwn(FIELD_NAMES, key)) return FIELD_NAMES[key]!;
  }
  return null;
}

/** Zod's own messages are for programmers ("Too small: expected string to have >=1 characters"): each kind of refusal in words. */
function advice(issue: z.core.$ZodIssue): string | null {
  switch (issue.code) {
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'string') return minimum <= 1 ? 'cannot be empty' : `use at least ${minimum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return minimum <= 1 ? 'choose at least one' : `choose at least ${minimum}`;
      return `use a number of at least ${minimum}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'string') return `use at most ${maximum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `choose at most ${maximum}`;
      return `use a number no larger than ${maximum}`;
    }
    case 'invalid_type':
      if (issue.expected === 'int' || issue.expected === 'number') return 'give a whole number';
      return null;
    case 'custom':
    case 'invalid_format':
      // The contract's own messages are written as advice ("give its full path, starting with /");
      // zod's defaults for a format start with "Invalid" and are not.
      return issue.message && !/^invalid\b/i.test(issue.message) ? issue.message : null;
    default:
      return null;
  }
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** The sentence shown on screen for a request the contract refused. */
export function plainInputMessage(error: z.ZodError): string {
  for (const issue of error.issues) {
    const field = fieldName(issue.path);
    const what = advice(issue);
    if (field && what) return sentence(`${field}: ${what}`);
    // A refinement over the whole request ("give either sources or resumeCaseJobId") is a renderer bug, not something to fix by typing.
  }
  return GENERIC;
}

/** The same refusal for the log: channel, schema paths and zod's wording, on one line. */
export function technicalInputError(channel: string, error: z.ZodError): string {
  return `${channel}: ${z.prettifyError(error).replace(/\n/g, '; ')}`;
}
