#!/usr/bin/env node
// The installed `acsr` command. The sources are TypeScript written so that types can simply be
// stripped (tsconfig: erasableSyntaxOnly): Node 22.18 and later run them as they are, which
// starts about a second sooner than compiling through a loader. Older Nodes go through tsx.
// Either way the CLI, the tests and the desktop app's workers execute the same modules.
if (typeof process.features.typescript !== 'string') {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../main/startup/thread-startup.mjs');
await import('../main/cli/acsr.ts');
