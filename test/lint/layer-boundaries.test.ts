// The layer rule of eslint.config.js (build/lint/layer-boundaries.js), run through ESLint's own
// API on deliberate violations placed, by file path, inside each layer's folder, and on the tree.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULE = 'layers/import-boundaries';
const eslint = new ESLint({ cwd: REPOSITORY_ROOT });

/** The layer-rule messages ESLint gives `code` as if it were the file at `filePath` (repository-relative). */
async function layerFindings(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const parseErrors = result.messages.filter((message) => message.fatal);
  assert.deepEqual(parseErrors, [], 'the snippet must parse');
  return result.messages.filter((message) => message.ruleId === RULE).map((message) => message.message);
}

describe('the layer rule', () => {
  it('refuses a database, Electron or UI import in the science, type-only and dynamic ones included', async () => {
    const findings = await layerFindings(
      'main/acsr/purification/leaky.ts',
      [
        "import Database from 'better-sqlite3';",
        "import { app } from 'electron';",
        "import type { CaseDatabase } from '../../case/case-database.ts';",
        "export { startBrowserHost } from '../../host/browser-host.ts';",
        "const jobs = await import('../../jobs/job-runner.ts');",
        "import { useState } from 'react';",
        'export const used = [Database, app, jobs, useState] as unknown as CaseDatabase;',
      ].join('\n'),
    );
    assert.equal(findings.length, 6, findings.join('\n'));
    assert.match(findings[0], /'better-sqlite3'.*the science imports no shell, database/);
    assert.match(findings[2], /main\/case\/case-database\.ts/);
  });

  it('lets the science import its own code, the shared I/O and numerical packages', async () => {
    const findings = await layerFindings(
      'main/acsr/purification/fine.ts',
      [
        "import * as tf from '@tensorflow/tfjs';",
        "import { readFile } from 'node:fs/promises';",
        "import { sha256Hex } from '../../io/hashing.ts';",
        "import { UserInputError } from '../../errors/user-input-error.ts';",
        "import type { ConvDictionary } from '../signal/conv-dictionary.ts';",
        'export const used: unknown[] = [tf, readFile, sha256Hex, UserInputError];',
        'export type Used = ConvDictionary;',
      ].join('\n'),
    );
    assert.deepEqual(findings, []);
  });

  it('lets the renderer import only the contract, its own code and UI packages', async () => {
    const findings = await layerFindings(
      'renderer/evidence/Leaky.tsx',
      [
        "import type { CaseDatabase } from '../../main/case/case-database.ts';",
        "import { readFile } from 'node:fs/promises';",
        "import { ipcRenderer } from 'electron';",
        "import { channels } from '../../main/ipc/contract/index.ts';",
        "import Button from '@mui/material/Button';",
        "import { useCase } from '../app/use-case.ts';",
        'export const used: unknown[] = [readFile, ipcRenderer, channels, Button, useCase];',
        'export type Used = CaseDatabase;',
      ].join('\n'),
    );
    assert.equal(findings.length, 3, findings.join('\n'));
    assert.match(findings[0], /main\/case\/case-database\.ts.*only the IPC contract/);
    assert.match(findings[1], /'node:fs\/promises'/);
    assert.match(findings[2], /'electron'/);
  });

  it('lets the preload import only the contract and Electron', async () => {
    const findings = await layerFindings(
      'preload/leaky.ts',
      [
        "import { contextBridge } from 'electron';",
        "import { channels } from '../main/ipc/contract/index.ts';",
        "import { openCase } from '../main/workstation/case-library.ts';",
        'export const used: unknown[] = [contextBridge, channels, openCase];',
      ].join('\n'),
    );
    assert.equal(findings.length, 1, findings.join('\n'));
    assert.match(findings[0], /main\/workstation\/case-library\.ts/);
  });

  it('keeps the contract, which the renderer and preload bundle, free of Node-only packages and of the shells', async () => {
    const findings = await layerFindings(
      'main/ipc/contract/leaky.ts',
      [
        "import { z } from 'zod';",
        "import { readFile } from 'node:fs/promises';",
        "import { DEFAULT_CLASSIFIER_ID } from '../../workstation/purification-catalogue.ts';",
        "import { jobKindSchema } from './jobs.ts';",
        'export const used: unknown[] = [z, readFile, DEFAULT_CLASSIFIER_ID, jobKindSchema];',
      ].join('\n'),
    );
    assert.equal(findings.length, 2, findings.join('\n'));
    assert.match(findings[0], /'node:fs\/promises'.*bundled into the renderer/);
    assert.match(findings[1], /main\/workstation\/purification-catalogue\.ts/);
  });

  it('lets nothing but the CLI itself, bin/ and tests import the CLI', async () => {
    const cliImport = "import { parseArgs } from '../cli/args.ts';\nexport const used = parseArgs;";
    assert.equal((await layerFindings('main/jobs/leaky-job.ts', cliImport)).length, 1);
    assert.equal((await layerFindings('main/case/report/leaky.ts', "import { x } from '../../cli/args.ts';\nexport const used = x;")).length, 1);
    assert.deepEqual(await layerFindings('main/cli/commands/fine.ts', "import { parseArgs } from '../args.ts';\nexport const used = parseArgs;"), []);
    assert.deepEqual(await layerFindings('test/cli/fine.test.ts', "import { runCli } from '../../main/cli/run-cli.ts';\nexport const used = runCli;"), []);
  });

  it('finds no layer crossing in the tree as it is', async () => {
    // The whole lint (every rule) runs as `npm run lint`; here only the layer rule, on every file it lints.
    const results = await new ESLint({ cwd: REPOSITORY_ROOT, ruleFilter: ({ ruleId }) => ruleId === RULE }).lintFiles(['.']);
    assert.ok(results.length > 400, `only ${results.length} files linted`);
    const crossings = results.flatMap((result) => result.messages.map((message) => `${result.filePath}:${message.line} ${message.message}`));
    assert.deepEqual(crossings, []);
  });
});
