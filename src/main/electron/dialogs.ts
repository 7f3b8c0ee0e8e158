/**
 * The shell's requests: native dialogs for corpora, checkpoints and generated text. The
 * studio never names a file itself; main asks the user, then hands the chosen path to the
 * trainer (which reads and writes checkpoints atomically).
 */
import { dialog, shell, type BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../engine/atomic-file';
import type { TrainerClient } from '../trainer/client';
import type { ShellHandlers } from './ipc';
import type { Prefs } from './prefs';
import { isSafeExternalUrl } from './window';

export interface DialogDeps {
  window: () => BrowserWindow | null;
  trainer: Pick<TrainerClient, 'call'>;
  prefs: Prefs;
  savePrefs: () => Promise<void>;
  /** Default folder for the first checkpoint dialog (e.g. Documents). */
  documentsDir: string;
}

const TEXT_FILTERS = [
  { name: 'Text', extensions: ['txt', 'text', 'md', 'csv', 'tsv'] },
  { name: 'All files', extensions: ['*'] },
];
const CHECKPOINT_FILTERS = [{ name: 'Folio checkpoint', extensions: ['ckpt'] }];

export function shellHandlers(deps: DialogDeps) {
  /** The file the current model came from or was last saved to; Save writes there. */
  let modelPath: string | undefined;

  const openFile = async (title: string, filters: typeof TEXT_FILTERS, folder?: string) => {
    const win = deps.window();
    const options = { title, filters, defaultPath: folder, properties: ['openFile' as const] };
    const result = win
      ? await dialog.showOpenDialog(win, options)
      : await dialog.showOpenDialog(options);
    return result.canceled ? undefined : result.filePaths[0];
  };

  const saveFile = async (title: string, defaultPath: string, filters: typeof TEXT_FILTERS) => {
    const win = deps.window();
    const options = { title, defaultPath, filters };
    const result = win
      ? await dialog.showSaveDialog(win, options)
      : await dialog.showSaveDialog(options);
    return result.canceled ? undefined : result.filePath;
  };

  const handlers: ShellHandlers = {
    openCorpusDialog: async (options) => {
      const path = await openFile('Open text file', TEXT_FILTERS, deps.prefs.lastCorpus?.path);
      if (!path) return null;
      const corpus = await deps.trainer.call('openCorpusFile', { ...options, path });
      deps.prefs.lastCorpus = { ...options, path };
      await deps.savePrefs();
      return corpus;
    },

    openCheckpointDialog: async () => {
      const folder = deps.prefs.lastCheckpointDir ?? deps.documentsDir;
      const path = await openFile('Open checkpoint', CHECKPOINT_FILTERS, folder);
      if (!path) return null;
      const model = await deps.trainer.call('openCheckpointFile', { path });
      modelPath = path;
      deps.prefs.lastCheckpointDir = dirname(path);
      await deps.savePrefs();
      return model;
    },

    saveCheckpointDialog: async ({ as }) => {
      let path = as ? undefined : modelPath;
      if (!path) {
        const hello = await deps.trainer.call('hello', {});
        const suggested = hello.model?.name ?? 'model.ckpt';
        const folder = deps.prefs.lastCheckpointDir ?? deps.documentsDir;
        path = await saveFile('Save checkpoint', join(folder, suggested), CHECKPOINT_FILTERS);
        if (!path) return null;
      }
      const saved = await deps.trainer.call('saveCheckpoint', { path });
      modelPath = path;
      deps.prefs.lastCheckpointDir = dirname(path);
      await deps.savePrefs();
      return saved;
    },

    saveTextDialog: async ({ name, text }) => {
      const folder = deps.prefs.lastCheckpointDir ?? deps.documentsDir;
      const path = await saveFile('Save generated text', join(folder, name), TEXT_FILTERS);
      if (!path) return null;
      // Atomic, as checkpoints are: a full disk never leaves an earlier text half-overwritten.
      await writeFileAtomic(path, new TextEncoder().encode(text), 'save the text');
      return { name: path };
    },

    openExternal: async ({ url }) => {
      if (!isSafeExternalUrl(url)) return { opened: false };
      await shell.openExternal(url);
      return { opened: true };
    },
  };

  return {
    handlers,
    /** A new model (trained from scratch, or opened from bytes) has no file yet. */
    forgetModelPath: () => (modelPath = undefined),
  };
}
