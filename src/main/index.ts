/**
 * Electron main process: one locked-down window that shows the renderer.
 *
 * Kept thin on purpose. The training engine (./engine) never imports Electron, so the
 * CLI, tests and benchmarks run the same code without it. Not here yet: menus, dialogs,
 * IPC handlers and the trainer utility process.
 */
import { app, BrowserWindow, session, type WebContents } from 'electron';
import { join } from 'node:path';

// Set by `electron-vite dev` to the renderer's dev server; absent in built apps.
const rendererDevUrl = process.env['ELECTRON_RENDERER_URL'];

let mainWindow: BrowserWindow | null = null;

/** Creates the single app window with the renderer sandboxed and cut off from Node. */
function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Folio',
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    webPreferences: {
      // Sandboxed preloads must be CommonJS, hence .cjs (see electron.vite.config.ts).
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    mainWindow = null;
  });

  const loading = rendererDevUrl
    ? window.loadURL(rendererDevUrl)
    : window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  loading.catch((error: unknown) => {
    console.error('Main: could not load the renderer:', error);
    app.quit();
  });
  return window;
}

/**
 * Keeps every web contents where the app put it: the renderer is only ever loaded by
 * main, so any navigation, popup or webview it asks for is refused.
 */
function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Brings the existing window to the front (used when a second instance starts). */
function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

// One Folio at a time: a second launch hands over to the first and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow();
  });

  app
    .whenReady()
    .then(() => {
      // The renderer needs no camera, microphone, notifications or the like.
      session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) =>
        grant(false),
      );
      session.defaultSession.setPermissionCheckHandler(() => false);
      mainWindow = createMainWindow();
    })
    .catch((error: unknown) => {
      console.error('Main: startup failed:', error);
      app.exit(1);
    });
}
