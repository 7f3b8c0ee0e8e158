/**
 * Preload: the only bridge between the sandboxed renderer and the rest of the app.
 *
 * It runs in Electron's sandbox (no Node modules besides a few of Electron's), so it
 * exposes plain named functions through contextBridge and never `ipcRenderer` itself.
 * Each function sends its own channel; main checks the sender and the arguments.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { FolioApi } from '../shared/api';
import {
  channel,
  EVENT_CHANNEL,
  FOLIO_API_KEY,
  MENU_CHANNEL,
  SHELL_METHOD_NAMES,
  STUDIO_METHOD_NAMES,
} from '../shared/channels';

// Filled in at build time from package.json (see electron.vite.config.ts), because a
// sandboxed preload cannot read files or ask `app` for its version without IPC.
declare const __FOLIO_VERSION__: string;

/** One function per request name: folio.train(params) invokes "folio:train". */
function invokers(names: readonly string[]): Record<string, (params: unknown) => Promise<unknown>> {
  return Object.fromEntries(
    names.map((name) => [name, (params: unknown) => ipcRenderer.invoke(channel(name), params)]),
  );
}

/** Passes only the payload on, never Electron's event object (it exposes `sender`). */
function subscribe<T>(name: string, listener: (payload: T) => void): () => void {
  const handler = (_event: unknown, payload: T) => listener(payload);
  ipcRenderer.on(name, handler);
  return () => void ipcRenderer.off(name, handler);
}

const api = {
  ...invokers(STUDIO_METHOD_NAMES),
  ...invokers(SHELL_METHOD_NAMES),
  version: () => __FOLIO_VERSION__,
  onEvent: (listener) => subscribe(EVENT_CHANNEL, listener),
  onMenu: (listener) => subscribe(MENU_CHANNEL, listener),
} as FolioApi;

contextBridge.exposeInMainWorld(FOLIO_API_KEY, api);
