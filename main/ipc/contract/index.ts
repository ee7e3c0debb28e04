/**
 * The IPC contract: the one set of modules that the main process, the preload script and the
 * renderer share, holding only zod schemas, their types and channel names. The renderer is
 * untrusted, so hosts (Electron's ipcMain and the loopback WebSocket of `acsr serve`) parse every
 * input with these schemas before any service sees it (see ../validated-dispatch.ts); strict
 * objects refuse unknown keys, so a compromised renderer cannot smuggle options past the boundary.
 *
 * Everything here must stay free of Node and Electron imports: it is bundled into the renderer.
 * Display text lives in the renderer; defaults come from the main side (the `*.choices` channels).
 */
export * from './answers.ts';
export * from './cases.ts';
export * from './channels.ts';
export * from './common.ts';
export * from './evaluation.ts';
export * from './folders.ts';
export * from './items.ts';
export * from './jobs.ts';
export * from './training.ts';
export * from './transport.ts';
export * from './workers.ts';
