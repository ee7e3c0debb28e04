// The import-cycle check (build/lint/import-cycles.ts) on small real module trees written to a
// temp folder, then on the project itself.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findImportCycles, projectImportCycles } from '../../build/lint/import-cycles.ts';

describe('the import-cycle check', () => {
  let folder: string;
  const file = (name: string) => path.join(folder, name);
  async function write(files: Record<string, string>): Promise<string[]> {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(file(name)), { recursive: true });
      await writeFile(file(name), text);
    }
    return Object.keys(files).map(file);
  }
  const names = (cycles: string[][]) => cycles.map((cycle) => cycle.map((member) => path.basename(member)));

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'import-cycles-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('finds a cycle made only of `import type`', async () => {
    const files = await write({
      'types/extractor.ts': "import type { Model } from './model.ts';\nexport interface Extractor { model: Model }\n",
      'types/model.ts': "import type { Extractor } from './extractor.ts';\nexport interface Model { extractor?: Extractor }\n",
    });
    assert.deepEqual(names(findImportCycles(files)), [['extractor.ts', 'model.ts']]);
  });

  it('finds a longer cycle through a re-export and a dynamic import, and nothing in a chain beside it', async () => {
    const files = await write({
      'ring/a.ts': "export { b } from './b.ts';\n",
      'ring/b.ts': "import { c } from './nested/c.ts';\nexport const b = c;\n",
      'ring/nested/c.ts': "export const c = 1;\nexport const later = () => import('../a.ts');\n",
      'chain/x.ts': "import { y } from './y.ts';\nexport const x = y;\n",
      'chain/y.ts': "import { readFile } from 'node:fs';\nexport const y = readFile;\n",
    });
    assert.deepEqual(names(findImportCycles(files)), [['a.ts', 'b.ts', 'c.ts']]);
  });

  it('finds a module that imports itself', async () => {
    const files = await write({ 'self.ts': "import * as self from './self.ts';\nexport const me = self;\n" });
    assert.deepEqual(names(findImportCycles(files)), [['self.ts']]);
  });

  it('finds none in main/, preload/, renderer/ and build/', () => {
    assert.deepEqual(projectImportCycles(), []);
  });
});
