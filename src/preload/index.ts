/**
 * Preload: the only bridge between the sandboxed renderer and the rest of the app.
 *
 * It runs in Electron's sandbox (no Node modules besides a few of Electron's), so it
 * exposes plain named functions through contextBridge and never `ipcRenderer` itself.
 */
import { contextBridge } from 'electron';
import { FOLIO_API_KEY, type FolioApi } from '../shared/api';

// Filled in at build time from package.json (see electron.vite.config.ts), because a
// sandboxed preload cannot read files or ask `app` for its version without IPC.
declare const __FOLIO_VERSION__: string;

const api: FolioApi = {
  version: () => __FOLIO_VERSION__,
};

contextBridge.exposeInMainWorld(FOLIO_API_KEY, api);
