/**
 * Electron main process: one locked-down window, the trainer in a utility process, the
 * IPC between them, the menu and native dialogs. The training engine (./engine) never
 * imports Electron, so the CLI, tests and browser mode run the same code without it.
 */
import { app, BrowserWindow, Menu, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { EVENT_CHANNEL, MENU_CHANNEL, type MenuCommand } from '../shared/channels';
import type { StudioEvent } from '../shared/contract';
import { TrainerClient } from './trainer/client';
import { shellHandlers } from './electron/dialogs';
import { registerIpc } from './electron/ipc';
import { menuTemplate } from './electron/menu';
import { loadPrefs, savePrefs } from './electron/prefs';
import { utilityTransport } from './electron/trainer-process';
import { createMainWindow, isAppUrl, lockDown, type RendererSource } from './electron/window';

const here = import.meta.dirname;
const source: RendererSource = {
  // Set by `electron-vite dev` to the renderer's dev server; absent in built apps.
  devUrl: process.env['ELECTRON_RENDERER_URL'],
  file: join(here, '../renderer/index.html'),
};

let mainWindow: BrowserWindow | null = null;

/** Only the app's own page in the app's own window may call main. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  return !!mainWindow && event.sender === mainWindow.webContents && !!url && isAppUrl(url, source);
}

function send(channel: string, payload: StudioEvent | MenuCommand): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
}

async function start(): Promise<void> {
  // The renderer needs no camera, microphone, notifications or the like.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) =>
    grant(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);

  const prefsPath = join(app.getPath('userData'), 'preferences.json');
  const prefs = await loadPrefs(prefsPath);
  const trainerArgs = ['--data-dir', join(app.getPath('userData'), 'data')];
  const trainer = new TrainerClient(
    () => utilityTransport(join(here, 'trainer.js'), trainerArgs),
    (line) => console.error(line),
  );
  app.on('will-quit', () => trainer.close());

  // The last corpus comes back on launch, and after a trainer crash.
  const reopenLastCorpus = async () => {
    if (!prefs.lastCorpus) return;
    await trainer.call('openCorpusFile', prefs.lastCorpus).catch((err: unknown) => {
      console.error('Main: could not reopen the last corpus:', (err as Error).message);
    });
  };
  trainer.onEvent((event) => {
    send(EVENT_CHANNEL, event);
    if (event.type === 'trainerLost') void reopenLastCorpus();
  });

  const dialogs = shellHandlers({
    window: () => mainWindow,
    trainer,
    prefs,
    savePrefs: () => savePrefs(prefsPath, prefs),
    documentsDir: app.getPath('documents'),
  });
  registerIpc({
    trainer,
    shell: dialogs.handlers,
    isTrustedSender,
    observe: (method, params) => {
      const fresh = method === 'train' && !(params as { resume: boolean }).resume;
      if (fresh || method === 'openCheckpoint') dialogs.forgetModelPath();
    },
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate((command) => send(MENU_CHANNEL, command))),
  );

  await reopenLastCorpus();
  mainWindow = createMainWindow(join(here, '../preload'), source);
  mainWindow.on('closed', () => (mainWindow = null));
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
    if (BrowserWindow.getAllWindows().length === 0) {
      mainWindow = createMainWindow(join(here, '../preload'), source);
      mainWindow.on('closed', () => (mainWindow = null));
    }
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('Main: startup failed:', error);
      app.exit(1);
    });
}
