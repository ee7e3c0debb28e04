// Electron's entry point (package.json "main" should name this file): the TypeScript sources run
// through tsx's loader, as bin/acsr.mjs does for the CLI, so that the desktop app, the CLI and the
// tests execute the same modules (worker threads included, see main/workers/spawn-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
