/**
 * Finds import cycles among the project's own modules: every relative import, re-export and
 * dynamic import() counts, `import type` included (a type-only cycle still ties two modules into
 * one unit that cannot be understood or moved apart). Run: `node --import tsx build/lint/import-cycles.ts`
 * (part of `npm run lint`); exits 1 naming each cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The folders whose modules may not import each other in a circle. */
export const CHECKED_FOLDERS = ['main', 'preload', 'renderer', 'build'];

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js'];

function sourceFilesUnder(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...sourceFilesUnder(full));
    else if (SOURCE_EXTENSIONS.some((extension) => entry.name.endsWith(extension)) && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

/** The project files a source file imports (relative specifiers only; packages cannot be in a project cycle). */
export function importedFiles(file: string, text = readFileSync(file, 'utf8')): string[] {
  const info = ts.preProcessFile(text, true, true);
  const targets = new Set<string>();
  for (const imported of info.importedFiles) {
    if (!imported.fileName.startsWith('.')) continue;
    targets.add(path.resolve(path.dirname(file), imported.fileName));
  }
  return [...targets];
}

/** Each cycle as the list of files on it (repository-relative), from Tarjan's strongly connected components. */
export function findImportCycles(files: string[], importsOf: (file: string) => string[] = importedFiles): string[][] {
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => known.has(target))]));
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;

  // Iterative, so that a long import chain cannot overflow the call stack.
  for (const start of files) {
    if (index.has(start)) continue;
    const work: Array<{ file: string; next: number }> = [{ file: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = graph.get(frame.file)!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ file: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.file, Math.min(lowLink.get(frame.file)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].file;
        lowLink.set(parent, Math.min(lowLink.get(parent)!, lowLink.get(frame.file)!));
      }
      if (lowLink.get(frame.file) === index.get(frame.file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.file);
        const importsItself = graph.get(frame.file)!.includes(frame.file);
        if (component.length > 1 || importsItself) cycles.push(component.reverse());
      }
    }
  }
  return cycles.map((cycle) => cycle.map((file) => path.relative(REPOSITORY_ROOT, file).split(path.sep).join('/')).sort());
}

export function projectImportCycles(root = REPOSITORY_ROOT): string[][] {
  const files = CHECKED_FOLDERS.flatMap((folder) => sourceFilesUnder(path.join(root, folder)));
  return findImportCycles(files);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cycles = projectImportCycles();
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' <-> ')}`);
  if (cycles.length > 0) process.exitCode = 1;
  else console.log('no import cycles');
}
