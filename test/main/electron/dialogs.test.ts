/**
 * Native dialogs, with Electron replaced: the user picks the file, main hands its path to
 * the trainer, Save reuses the model's file and Save as asks again.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const mocks = vi.hoisted(() => ({
  showOpenDialog: vi.fn(),
  showSaveDialog: vi.fn(),
  openExternal: vi.fn(),
}));
vi.mock('electron', () => ({
  dialog: { showOpenDialog: mocks.showOpenDialog, showSaveDialog: mocks.showSaveDialog },
  shell: { openExternal: mocks.openExternal },
}));

import { shellHandlers } from '../../../src/main/electron/dialogs';
import type { Prefs } from '../../../src/main/electron/prefs';

const options = { encoding: 'utf-8' as const, normalizeNewlines: true };
let prefs: Prefs;
let temp: string;
const trainer = { call: vi.fn() };
const savePrefs = vi.fn(async () => undefined);

function make() {
  return shellHandlers({ window: () => null, trainer, prefs, savePrefs, documentsDir: '/docs' });
}

beforeEach(async () => {
  prefs = {};
  temp = await mkdtemp(join(tmpdir(), 'folio-dialogs-'));
  vi.clearAllMocks();
});
afterEach(() => rm(temp, { recursive: true, force: true }));

describe('the shell dialogs', () => {
  it('opens nothing when the user cancels', async () => {
    mocks.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
    expect(await make().handlers.openCorpusDialog(options)).toBeNull();
    expect(trainer.call).not.toHaveBeenCalled();
  });

  it('gives the chosen corpus path to the trainer and remembers it', async () => {
    mocks.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: ['/texts/a.txt'] });
    trainer.call.mockResolvedValue({ name: 'a.txt' });
    expect(await make().handlers.openCorpusDialog(options)).toEqual({ name: 'a.txt' });
    expect(trainer.call).toHaveBeenCalledWith('openCorpusFile', {
      ...options,
      path: '/texts/a.txt',
    });
    expect(prefs.lastCorpus).toEqual({ ...options, path: '/texts/a.txt' });
    expect(savePrefs).toHaveBeenCalled();
  });

  it('asks where to save first, suggesting the model name, then saves there again', async () => {
    const dialogs = make();
    trainer.call.mockImplementation(async (method: string, params: { path?: string }) =>
      method === 'hello' ? { model: { name: 'tiny-step30-val1.500.ckpt' } } : { name: params.path },
    );
    mocks.showSaveDialog.mockResolvedValue({ canceled: false, filePath: '/m/a.ckpt' });
    await dialogs.handlers.saveCheckpointDialog({ as: false });
    expect(mocks.showSaveDialog.mock.calls[0]![0]).toMatchObject({
      defaultPath: '/docs/tiny-step30-val1.500.ckpt',
    });
    await dialogs.handlers.saveCheckpointDialog({ as: false });
    expect(mocks.showSaveDialog).toHaveBeenCalledTimes(1);
    expect(trainer.call).toHaveBeenLastCalledWith('saveCheckpoint', { path: '/m/a.ckpt' });

    mocks.showSaveDialog.mockResolvedValue({ canceled: false, filePath: '/m/b.ckpt' });
    await dialogs.handlers.saveCheckpointDialog({ as: true });
    expect(mocks.showSaveDialog).toHaveBeenCalledTimes(2);
    expect(trainer.call).toHaveBeenLastCalledWith('saveCheckpoint', { path: '/m/b.ckpt' });

    dialogs.forgetModelPath(); // a new model: Save asks again
    await dialogs.handlers.saveCheckpointDialog({ as: false });
    expect(mocks.showSaveDialog).toHaveBeenCalledTimes(3);
  });

  it('writes generated text where the user chose', async () => {
    const path = join(temp, 'sample.txt');
    mocks.showSaveDialog.mockResolvedValue({ canceled: false, filePath: path });
    await make().handlers.saveTextDialog({ name: 'sample.txt', text: 'To be' });
    expect(await readFile(path, 'utf8')).toBe('To be');
  });

  it('says in one line why generated text could not be saved', async () => {
    // Read-only folders and full disks are tested for real in test/engine/file-system.test.ts.
    const path = join(temp, 'gone', 'sample.txt');
    mocks.showSaveDialog.mockResolvedValue({ canceled: false, filePath: path });
    await expect(make().handlers.saveTextDialog({ name: 'sample.txt', text: 'x' })).rejects.toThrow(
      `Could not save the text at ${path}: the folder ${join(temp, 'gone')} does not exist; ` +
        'create it or choose another.',
    );
  });

  it('opens only allowed links in the system browser', async () => {
    const { handlers } = make();
    expect(await handlers.openExternal({ url: 'https://evil.example/' })).toEqual({
      opened: false,
    });
    expect(await handlers.openExternal({ url: 'https://github.com/' })).toEqual({ opened: true });
    expect(mocks.openExternal).toHaveBeenCalledTimes(1);
  });
});
