/**
 * `acsr hashlist import|list|remove`: the workspace's known-content hash lists, which every case
 * in the workspace is matched against (`acsr case match`).
 */
import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { KIND_LABEL, HASH_KINDS } from '../../triage/hash-kinds.ts';
import { readHashListFile } from '../../triage/read-hash-list.ts';
import type { HashListRecord } from '../../workspace/hash-list-store.ts';
import { WorkspaceDatabase } from '../../workspace/workspace-database.ts';
import { defineCommand, defineCommandGroup } from '../command.ts';
import { examinerOption } from './case-options.ts';

const workspaceOption = {
  type: 'string',
  required: true,
  valueName: 'DIR',
  description: 'the workspace folder (holds the case folders and workspace.sqlite)',
} as const;

function withWorkspace<T>(folder: string, work: (workspace: WorkspaceDatabase) => T, options: { create?: boolean } = {}): T {
  const workspace = WorkspaceDatabase.open(folder, options);
  try {
    return work(workspace);
  } finally {
    workspace.close();
  }
}

function describeCounts(list: HashListRecord): string {
  return HASH_KINDS.filter((kind) => list.counts[kind] > 0)
    .map((kind) => `${list.counts[kind]} ${KIND_LABEL[kind]}`)
    .join(', ');
}

function listLine(list: HashListRecord): string {
  const removed = list.removedAt ? `  (removed ${list.removedAt} by ${list.removedBy})` : '';
  return `${String(list.id).padStart(4)}  ${list.name}  ${list.format}  ${list.entryCount} entries (${describeCounts(list)})  sha256 ${list.sha256.slice(0, 12)}  imported ${list.importedAt} by ${list.importedBy}${removed}`;
}

const hashlistImportCommand = defineCommand({
  name: 'import',
  summary: 'import a hash list (text/CSV of PDQ, MD5, SHA-1 or SHA-256; Project VIC JSON) into the workspace',
  description:
    'Text lists have one hash per line, optionally followed by a category and a source (comma- or tab-separated; a header row may name the columns). ' +
    'A 64-character hash can be PDQ or SHA-256: name the column in a header (pdq, sha256) or say which with --sixty-four-hex. ' +
    'The list is read and checked in full before anything is stored: a malformed line refuses the whole list, naming the line. ' +
    "The file's SHA-256 is recorded as the list's version, with who imported it and when, in the workspace's audit log.",
  examples: ['acsr hashlist import --workspace ~/cases --file known.csv --name "known 2026-11" --examiner "A. Jones"'],
  options: {
    workspace: workspaceOption,
    file: { type: 'string', required: true, valueName: 'FILE', description: 'the hash list file' },
    name: { type: 'string', valueName: 'NAME', description: "the list's name in the workspace (default: the file's name without extension)" },
    sixtyFourHex: { type: 'string', choices: ['pdq', 'sha256'], valueName: 'pdq|sha256', description: 'what an unlabelled 64-character hash is' },
    examiner: examinerOption,
  },
  async run({ options, print, progress, signal }) {
    const started = performance.now();
    // The size for the progress fraction only; a file that cannot be read is reported by the reader.
    const size = statSync(options.file, { throwIfNoEntry: false })?.size ?? 0;
    const list = await readHashListFile(options.file, {
      signal,
      ...(options.sixtyFourHex ? { sixtyFourHexIs: options.sixtyFourHex as 'pdq' | 'sha256' } : {}),
      onProgress: (bytes) =>
        progress.report({ stage: 'read', fraction: size > 0 ? Math.min(bytes / size, 1) : 0, message: `${Math.round(bytes / 2 ** 20)} MB read` }),
    });
    const parsedMs = performance.now() - started;
    progress.report({ stage: 'store', fraction: 0, message: `${list.entryCount} entries` });
    const name = options.name ?? basename(options.file, extname(options.file));
    const record = withWorkspace(options.workspace, (workspace) =>
      workspace.hashLists.record(list, { name, fileName: basename(options.file), examiner: options.examiner }),
    );
    print(
      `imported list ${record.id} '${record.name}': ${record.entryCount} entries (${describeCounts(record)})${list.duplicates ? `, ${list.duplicates} repeated hashes kept once` : ''}`,
    );
    print(`sha256 ${record.sha256}`);
    return { list: record, readMs: Math.round(parsedMs), storeMs: Math.round(performance.now() - started - parsedMs) };
  },
});

const hashlistListCommand = defineCommand({
  name: 'list',
  summary: "list the workspace's hash lists",
  examples: ['acsr hashlist list --workspace ~/cases', 'acsr hashlist list --workspace ~/cases --all --json'],
  options: {
    workspace: workspaceOption,
    all: { type: 'boolean', description: 'also the lists that were removed' },
  },
  async run({ options, print }) {
    const lists = withWorkspace(options.workspace, (workspace) => workspace.hashLists.all({ includeRemoved: options.all }), { create: false });
    for (const list of lists) print(listLine(list));
    print(`${lists.length} list${lists.length === 1 ? '' : 's'}`);
    return { count: lists.length, lists };
  },
});

const hashlistRemoveCommand = defineCommand({
  name: 'remove',
  summary: 'remove a hash list from the workspace (its record and audit entries stay)',
  examples: ['acsr hashlist remove --workspace ~/cases --list "known 2026-11" --examiner "A. Jones"'],
  options: {
    workspace: workspaceOption,
    list: { type: 'string', required: true, valueName: 'NAME|ID', description: "the list's name or number" },
    examiner: examinerOption,
  },
  async run({ options, print }) {
    const removed = withWorkspace(options.workspace, (workspace) => workspace.hashLists.remove(options.list, options.examiner), {
      create: false,
    });
    print(`removed list ${removed.id} '${removed.name}' (sha256 ${removed.sha256})`);
    return { list: removed };
  },
});

export const hashlistCommandGroup = defineCommandGroup({
  name: 'hashlist',
  summary: 'known-content hash lists of the workspace: import, list, remove',
  description: "Hash lists belong to the workspace (the folder holding the case folders) and are matched against a case's evidence with 'acsr case match'.",
  subcommands: [hashlistImportCommand, hashlistListCommand, hashlistRemoveCommand],
});
