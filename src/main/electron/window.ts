/**
 * The one app window, locked down: the renderer is sandboxed, isolated from Node and the
 * preload, and may not navigate, open windows or embed anything. Links leave only for the
 * system browser, and only to hosts on the allow-list.
 */
import { BrowserWindow, shell, type WebContents, type WebPreferences } from 'electron';
import { join } from 'node:path';

export const WEB_PREFERENCES: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
};

/** Hosts the app may send the user to (documentation and the project page). */
export const EXTERNAL_HOSTS = new Set(['github.com', 'pytorch.org', 'www.tensorflow.org']);

export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && EXTERNAL_HOSTS.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** Where the renderer comes from: the dev server under `electron-vite dev`, else the file. */
export interface RendererSource {
  devUrl?: string;
  file: string;
}

/** True for a URL of the app's own renderer page (file or dev server), nothing else. */
export function isAppUrl(url: string, source: RendererSource): boolean {
  try {
    const parsed = new URL(url);
    if (source.devUrl) return parsed.origin === new URL(source.devUrl).origin;
    return parsed.protocol === 'file:' && decodeURIComponent(parsed.pathname) === source.file;
  } catch {
    return false;
  }
}

export function createMainWindow(preloadDir: string, source: RendererSource): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Folio',
    width: 1280,
    height: 860,
    minWidth: 720,
    minHeight: 480,
    show: false,
    webPreferences: {
      ...WEB_PREFERENCES,
      // Sandboxed preloads must be CommonJS, hence .cjs (see electron.vite.config.ts).
      preload: join(preloadDir, 'index.cjs'),
    },
  });
  window.once('ready-to-show', () => window.show());
  const loading = source.devUrl ? window.loadURL(source.devUrl) : window.loadFile(source.file);
  loading.catch((error: unknown) => console.error('Main: could not load the renderer:', error));
  return window;
}

/**
 * Keeps every web contents where the app put it: navigation, popups and webviews are
 * refused; an allowed https link opens in the system browser instead.
 */
export function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
