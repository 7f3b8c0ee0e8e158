/**
 * The studio's Electron platform over a stand-in for the preload's window.folio: errors
 * keep their message and code, and replies or events that break the contract are refused.
 */
import { describe, expect, it, vi } from 'vitest';
import { electronPlatform } from '../../src/renderer/lib/electron';
import type { FolioApi } from '../../src/shared/api';
import type { StudioEvent } from '../../src/shared/contract';

function fakeApi(overrides: Partial<Record<keyof FolioApi, unknown>>): FolioApi {
  return overrides as unknown as FolioApi;
}

describe('the Electron platform', () => {
  it('returns a reply that fits the contract', async () => {
    const stop = vi.fn(async () => ({ ok: true, result: { running: true } }));
    const platform = electronPlatform(fakeApi({ stop }));
    expect(await platform.call('stop', {})).toEqual({ running: true });
    expect(stop).toHaveBeenCalledWith({});
  });

  it("throws main's error with its message and code", async () => {
    const train = async () => ({
      ok: false,
      error: { message: 'Open a corpus first.', code: 'invalid-input' },
    });
    const platform = electronPlatform(fakeApi({ train }));
    const params = { model: {}, settings: {}, resume: false } as never;
    await expect(platform.call('train', params)).rejects.toMatchObject({
      message: 'Open a corpus first.',
      code: 'invalid-input',
    });
  });

  it('refuses a reply that breaks the contract', async () => {
    const stop = async () => ({ ok: true, result: { running: 'maybe' } });
    await expect(electronPlatform(fakeApi({ stop })).call('stop', {})).rejects.toThrow(
      /stop reply: running/,
    );
  });

  it('maps the dialogs: a cancelled save is null, a saved one its name', async () => {
    const saveCheckpointDialog = vi
      .fn()
      .mockResolvedValueOnce({ ok: true, result: null })
      .mockResolvedValueOnce({ ok: true, result: { name: 'a.ckpt' } });
    const platform = electronPlatform(fakeApi({ saveCheckpointDialog }));
    expect(await platform.saveCheckpoint(true)).toBeNull();
    expect(await platform.saveCheckpoint(false)).toBe('a.ckpt');
    expect(saveCheckpointDialog).toHaveBeenLastCalledWith({ as: false });
  });

  it('passes on events that fit the contract and refuses others', () => {
    let deliver: (event: unknown) => void = () => {};
    const onEvent = (listener: (event: unknown) => void) => {
      deliver = listener;
      return () => {};
    };
    const seen: StudioEvent[] = [];
    electronPlatform(fakeApi({ onEvent })).onEvent((event) => seen.push(event));
    deliver({ type: 'eval', step: 1, valLoss: 2, bestValLoss: 2 });
    expect(seen).toHaveLength(1);
    expect(() => deliver({ type: 'eval', step: 'one' })).toThrow(/event: /);
    expect(seen).toHaveLength(1);
  });
});
