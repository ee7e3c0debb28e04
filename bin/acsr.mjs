#!/usr/bin/env node
// The installed `acsr` command. TypeScript sources run through tsx's loader so that the CLI,
// the tests and the desktop app's workers execute exactly the same modules.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/acsr.ts');
