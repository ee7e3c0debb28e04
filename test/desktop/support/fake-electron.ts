/**
 * A stand-in for the parts of Electron the shell uses (the binary cannot be downloaded here).
 * It records what the shell asks for — window options, IPC handlers, protocol handlers, session
 * rules — so the tests can check them and call the handlers as Electron would.
 */
import { EventEmitter } from 'node:events';
import type { ElectronApi } from '../../../main/electron/electron-api.ts';

type Handler = (...args: any[]) => any;

export class FakeWebContents extends EventEmitter {
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: Handler | null = null;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return false;
  }
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  readonly options: Record<string, any>;
  constructor(options: Record<string, any>) {
    super();
    this.options = options;
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  show(): void {}
}

export interface FakeElectron {
  api: ElectronApi;
  app: EventEmitter & { sandboxEnabled: boolean; quitCalled: boolean };
  ipcHandlers: Map<string, Handler>;
  privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  session: { permissionRequestHandler: Handler | null; permissionCheckHandler: Handler | null; beforeRequest: Handler | null };
  dialogPath: string | null;
}

export function createFakeElectron(): FakeElectron {
  const app = Object.assign(new EventEmitter(), {
    sandboxEnabled: false,
    quitCalled: false,
    enableSandbox() {
      app.sandboxEnabled = true;
    },
    whenReady: () => Promise.resolve(),
    quit() {
      app.quitCalled = true;
    },
  });
  const fake: FakeElectron = {
    app,
    ipcHandlers: new Map(),
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    session: { permissionRequestHandler: null, permissionCheckHandler: null, beforeRequest: null },
    dialogPath: '/chosen/folder',
    api: undefined as unknown as ElectronApi,
  };
  const api = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle(channel: string, handler: Handler) {
        if (fake.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        fake.ipcHandlers.set(channel, handler);
      },
      removeHandler(channel: string) {
        fake.ipcHandlers.delete(channel);
      },
    },
    protocol: {
      registerSchemesAsPrivileged(schemes: FakeElectron['privilegedSchemes']) {
        fake.privilegedSchemes.push(...schemes);
      },
      handle(scheme: string, handler: (request: Request) => Promise<Response>) {
        fake.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler(handler: Handler) {
          fake.session.permissionRequestHandler = handler;
        },
        setPermissionCheckHandler(handler: Handler) {
          fake.session.permissionCheckHandler = handler;
        },
        webRequest: {
          onBeforeRequest(handler: Handler) {
            fake.session.beforeRequest = handler;
          },
        },
      },
    },
    dialog: {
      async showOpenDialog() {
        return fake.dialogPath === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [fake.dialogPath] };
      },
    },
  };
  fake.api = api as unknown as ElectronApi;
  return fake;
}

/** What Electron passes to an ipcMain.handle handler, reduced to what the shell reads. */
export function invokeEvent(frameUrl: string): { senderFrame: { url: string } } {
  return { senderFrame: { url: frameUrl } };
}
