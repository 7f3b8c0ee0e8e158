/**
 * Main's IPC handlers, with Electron replaced: every request is checked for its sender
 * and its argument before the trainer or a dialog sees it.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const mocks = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, params: unknown) => Promise<unknown>>(),
}));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, params: unknown) => Promise<unknown>) =>
      mocks.handlers.set(channel, fn),
  },
}));

import { registerIpc, UNTRUSTED_SENDER, type ShellHandlers } from '../../../src/main/electron/ipc';
import { SHELL_METHOD_NAMES, STUDIO_METHOD_NAMES } from '../../../src/shared/channels';
import { RemoteError, STUDIO_METHODS } from '../../../src/shared/contract';
import { SHELL_METHODS } from '../../../src/shared/shell';
import { DEFAULT_MODEL, DEFAULT_TRAIN } from '../../../src/shared/settings';

const trusted = { sender: 'window' };
const stranger = { sender: 'other' };
const trainer = { call: vi.fn() };
const shell = {
  openCorpusDialog: vi.fn(),
  openCheckpointDialog: vi.fn(),
  saveCheckpointDialog: vi.fn(async () => ({ name: 'a.ckpt' })),
  saveTextDialog: vi.fn(),
  openExternal: vi.fn(),
} as unknown as ShellHandlers;
const observe = vi.fn();

beforeEach(() => {
  mocks.handlers.clear();
  vi.clearAllMocks();
  registerIpc({ trainer, shell, observe, isTrustedSender: (e) => e === (trusted as never) });
});

const invoke = (channel: string, event: unknown, params: unknown) =>
  mocks.handlers.get(`folio:${channel}`)!(event, params);

describe('main IPC', () => {
  it('has one channel per studio and shell request, named as the preload names them', () => {
    expect([...STUDIO_METHOD_NAMES].sort()).toEqual(Object.keys(STUDIO_METHODS).sort());
    expect([...SHELL_METHOD_NAMES].sort()).toEqual(Object.keys(SHELL_METHODS).sort());
    expect([...mocks.handlers.keys()].sort()).toEqual(
      [...STUDIO_METHOD_NAMES, ...SHELL_METHOD_NAMES].map((n) => `folio:${n}`).sort(),
    );
  });

  it('refuses calls from any other sender without reaching the trainer', async () => {
    const outcome = await invoke('stop', stranger, {});
    expect(outcome).toEqual({
      ok: false,
      error: { message: UNTRUSTED_SENDER, code: 'untrusted-sender' },
    });
    expect(await invoke('saveCheckpointDialog', stranger, { as: true })).toMatchObject({
      ok: false,
    });
    expect(trainer.call).not.toHaveBeenCalled();
    expect(shell.saveCheckpointDialog).not.toHaveBeenCalled();
  });

  it('refuses a malformed argument, naming the field, before the trainer sees it', async () => {
    const outcome = await invoke('train', trusted, {
      model: DEFAULT_MODEL,
      settings: { ...DEFAULT_TRAIN, lr: -1 },
      resume: false,
    });
    expect(outcome).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^train params: settings\.lr: Learning rate/) },
    });
    expect(await invoke('saveTextDialog', trusted, { name: '', text: 'x' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^saveTextDialog params: name/) },
    });
    expect(trainer.call).not.toHaveBeenCalled();
  });

  it('forwards a valid request and returns the reply', async () => {
    trainer.call.mockResolvedValueOnce({ running: false });
    expect(await invoke('stop', trusted, {})).toEqual({ ok: true, result: { running: false } });
    expect(trainer.call).toHaveBeenCalledWith('stop', {});
    expect(observe).toHaveBeenCalledWith('stop', {});
  });

  it('passes the trainer error message and code on', async () => {
    trainer.call.mockRejectedValueOnce(new RemoteError('Open a corpus first.', 'invalid-input'));
    const params = { model: DEFAULT_MODEL, settings: DEFAULT_TRAIN, resume: false };
    expect(await invoke('train', trusted, params)).toEqual({
      ok: false,
      error: { message: 'Open a corpus first.', code: 'invalid-input' },
    });
  });

  it('answers shell requests through their handlers', async () => {
    expect(await invoke('saveCheckpointDialog', trusted, { as: false })).toEqual({
      ok: true,
      result: { name: 'a.ckpt' },
    });
  });
});
