/** `npm start` picks Electron only where its binary really is (the package alone is not enough). */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultWorkspace, installedElectronBinary } from '../../main/electron/start-desktop.ts';

test('the Electron binary is found from path.txt and dist/, and missing otherwise', async () => {
  const packageDir = await mkdtemp(join(tmpdir(), 'acsr-electron-pkg-'));
  try {
    assert.equal(installedElectronBinary(packageDir), null);
    await writeFile(join(packageDir, 'path.txt'), 'electron');
    assert.equal(installedElectronBinary(packageDir), null, 'path.txt without the binary (an interrupted download)');
    await mkdir(join(packageDir, 'dist'));
    await writeFile(join(packageDir, 'dist', 'electron'), '');
    assert.equal(installedElectronBinary(packageDir), join(packageDir, 'dist', 'electron'));
  } finally {
    await rm(packageDir, { recursive: true, force: true });
  }
});

test('the workspace comes from ACSR_WORKSPACE, else a folder in the home directory', () => {
  assert.equal(defaultWorkspace({ ACSR_WORKSPACE: '/cases' }), '/cases');
  assert.match(defaultWorkspace({}), /ACSR cases$/);
});
