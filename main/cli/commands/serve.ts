import { resolve } from 'node:path';
import { defineCommand } from '../command.ts';

/** The browser host: the desktop app's services and IPC contract on a loopback WebSocket. */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'run the workstation for a browser on this computer (loopback only, one-time token)',
  description: [
    'Serves the workstation user interface and its services on 127.0.0.1 only. The printed address carries a random token made for this launch (in the part after #, which browsers never send over the network); a page without it, or from another origin, is refused.',
    'Cases live as folders in the workspace. Stop with Ctrl-C: running jobs are cancelled and can be resumed.',
  ].join('\n\n'),
  examples: ['acsr serve --workspace ~/cases --open', 'acsr serve --workspace ~/cases --port 8731'],
  options: {
    workspace: { type: 'string', required: true, valueName: 'DIR', description: 'folder holding the case folders (created if missing)' },
    port: { type: 'integer', min: 0, max: 65535, default: 0, valueName: 'N', description: 'loopback port (0: any free port)' },
    renderer: { type: 'string', valueName: 'DIR', description: 'an already built renderer folder (default: build it now into dist/renderer)' },
    browseRoot: {
      type: 'string',
      multiple: true,
      valueName: 'DIR',
      description: 'a folder the folder browser may show besides your home folder; nothing above these is ever listed',
    },
    open: { type: 'boolean', description: 'open the workstation in a Chromium app window where a display exists ($ACSR_BROWSER picks the browser)' },
  },
  async run({ options, print, note, signal }) {
    // Loaded here so that `acsr --help` does not pay for esbuild, ws and the services.
    const { buildRenderer } = await import('../../../build/desktop/build-renderer.ts');
    const { startBrowserHost } = await import('../../host/browser-host.ts');
    const rendererDir = options.renderer === undefined ? (await buildRenderer()).outDir : resolve(options.renderer);
    const browseRoots = (options.browseRoot ?? []).map((root) => resolve(root));
    const host = await startBrowserHost({ workspace: options.workspace, rendererDir, port: options.port, note, browseRoots });
    print(`workstation at ${host.url}`);
    print('open that address in Chromium or Chrome on this computer; Ctrl-C stops the workstation');
    if (options.open) {
      const { openAppWindow } = await import('../../host/open-app-window.ts');
      const outcome = await openAppWindow(host.url, { workspace: resolve(options.workspace) });
      if (outcome.opened) print(`opened in ${outcome.browser}`);
      else note(`not opening a window: ${outcome.reason}`);
    }
    await new Promise<void>((done) => {
      if (signal.aborted) done();
      signal.addEventListener('abort', () => done(), { once: true });
    });
    await host.close();
    return { origin: host.origin, workspace: resolve(options.workspace) };
  },
});
