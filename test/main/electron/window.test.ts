/** The window's lock-down, with Electron replaced: isolation, sandbox, no navigation. */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const mocks = vi.hoisted(() => ({
  windowOptions: [] as Record<string, unknown>[],
  openExternal: vi.fn(async () => undefined),
}));
vi.mock('electron', () => ({
  BrowserWindow: class {
    constructor(options: Record<string, unknown>) {
      mocks.windowOptions.push(options);
    }
    once() {}
    loadFile = async () => undefined;
    loadURL = async () => undefined;
  },
  shell: { openExternal: mocks.openExternal },
}));

import {
  createMainWindow,
  isAppUrl,
  isSafeExternalUrl,
  lockDown,
} from '../../../src/main/electron/window';

beforeEach(() => {
  mocks.windowOptions.length = 0;
  mocks.openExternal.mockClear();
});

describe('the app window', () => {
  it('is sandboxed and isolated, with a CommonJS preload and no Node', () => {
    createMainWindow('/app/out/preload', { file: '/app/out/renderer/index.html' });
    const prefs = mocks.windowOptions[0]!['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      preload: '/app/out/preload/index.cjs',
    });
  });

  it('refuses navigation, redirects, webviews and new windows', () => {
    const listeners = new Map<string, (event: { preventDefault: () => void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    lockDown({
      on: (name: string, fn: (event: { preventDefault: () => void }) => void) =>
        listeners.set(name, fn),
      setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn),
    } as never);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      listeners.get(name)!({ preventDefault });
      expect(preventDefault).toHaveBeenCalled();
    }
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(mocks.openExternal).not.toHaveBeenCalled();
    expect(openHandler!({ url: 'https://github.com/folio' })).toEqual({ action: 'deny' });
    expect(mocks.openExternal).toHaveBeenCalledWith('https://github.com/folio');
  });

  it('sends only https links to allowed hosts to the system browser', () => {
    expect(isSafeExternalUrl('https://github.com/x')).toBe(true);
    expect(isSafeExternalUrl('http://github.com/x')).toBe(false);
    expect(isSafeExternalUrl('https://github.com.evil.example/')).toBe(false);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });

  it("trusts only the app's own page as a sender", () => {
    const built = { file: '/app/out/renderer/index.html' };
    expect(isAppUrl('file:///app/out/renderer/index.html', built)).toBe(true);
    expect(isAppUrl('file:///tmp/other.html', built)).toBe(false);
    expect(isAppUrl('https://evil.example/', built)).toBe(false);
    const dev = { devUrl: 'http://localhost:5173/', file: built.file };
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
  });
});
