/**
 * The preload script: runs sandboxed before the page and exposes exactly the IPC contract on
 * window.acsrBridge. Bundled to CommonJS (build/desktop/build-preload.ts), since a sandboxed
 * preload can require only 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeContract } from './expose-contract.ts';

exposeContract(contextBridge, ipcRenderer);
