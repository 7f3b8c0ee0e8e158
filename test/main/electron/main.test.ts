/**
 * Main's wiring as a whole, with Electron replaced: permissions refused, the trainer
 * started as a utility process, the last corpus reopened, IPC from the window forwarded
 * (and from anything else refused), events relayed, and a crashed trainer replaced.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

class FakeChild extends EventEmitter {
  posted: { id: number; method: string; params: unknown }[] = [];
  postMessage(message: { id: number; method: string; params: unknown }) {
    this.posted.push(message);
  }
  kill() {}
}

const mocks = vi.hoisted(() => {
  const send = vi.fn();
  return {
    userData: '',
    children: [] as FakeChild[],
    handlers: new Map<string, (event: unknown, params: unknown) => Promise<unknown>>(),
    send,
    webContents: { send, isDestroyed: () => false },
    windows: [] as unknown[],
    permission: undefined as
      undefined | ((contents: unknown, permission: string, grant: (ok: boolean) => void) => void),
    permissionCheck: undefined as undefined | (() => boolean),
    menu: undefined as unknown,
  };
});

vi.mock('electron', () => ({
  app: {
    requestSingleInstanceLock: () => true,
    on: () => {},
    whenReady: () => Promise.resolve(),
    getPath: (name: string) => join(mocks.userData, name === 'userData' ? '' : name),
    quit: () => {},
    exit: () => {},
  },
  BrowserWindow: class {
    webContents = mocks.webContents;
    constructor() {
      mocks.windows.push(this);
    }
    static getAllWindows = () => mocks.windows;
    on() {}
    once() {}
    isDestroyed = () => false;
    loadFile = async () => undefined;
    loadURL = async () => undefined;
  },
  Menu: {
    buildFromTemplate: (template: unknown) => template,
    setApplicationMenu: (menu: unknown) => (mocks.menu = menu),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn: typeof mocks.permission) => (mocks.permission = fn),
      setPermissionCheckHandler: (fn: typeof mocks.permissionCheck) => (mocks.permissionCheck = fn),
    },
  },
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, params: unknown) => Promise<unknown>) =>
      mocks.handlers.set(channel, fn),
  },
  utilityProcess: {
    fork: () => {
      const child = new FakeChild();
      mocks.children.push(child);
      return child;
    },
  },
  dialog: {},
  shell: {},
}));

const lastCorpus = { path: '/texts/last.txt', encoding: 'utf-8', normalizeNewlines: true };

/** Resolves when `child` has posted a request for `method`; returns it. */
async function posted(child: FakeChild, method: string) {
  await vi.waitFor(() => expect(child.posted.some((m) => m.method === method)).toBe(true));
  return child.posted.filter((m) => m.method === method).at(-1)!;
}

const fromWindow = () => ({
  sender: mocks.webContents,
  senderFrame: { url: `file://${join(process.cwd(), 'src/renderer/index.html')}` },
});

beforeAll(async () => {
  mocks.userData = await mkdtemp(join(tmpdir(), 'folio-main-'));
  await writeFile(join(mocks.userData, 'preferences.json'), JSON.stringify({ lastCorpus }));
  await import('../../../src/main/index');
  await vi.waitFor(() => expect(mocks.children).toHaveLength(1));
  // Startup waits for the last corpus to reopen: fail it, as if the file had moved.
  const request = await posted(mocks.children[0]!, 'openCorpusFile');
  expect(request.params).toEqual(lastCorpus);
  mocks.children[0]!.emit('message', {
    kind: 'reply',
    id: request.id,
    ok: false,
    error: { message: 'no such file', code: 'io' },
  });
  await vi.waitFor(() => expect(mocks.windows).toHaveLength(1));
});

describe('Electron main', () => {
  it('refuses every permission request', () => {
    const grant = vi.fn();
    mocks.permission!({}, 'media', grant);
    expect(grant).toHaveBeenCalledWith(false);
    expect(mocks.permissionCheck!()).toBe(false);
  });

  it('sets a menu and starts one trainer', () => {
    expect(mocks.menu).toBeDefined();
    expect(mocks.children).toHaveLength(1);
  });

  it('forwards a request from the window to the trainer', async () => {
    const reply = mocks.handlers.get('folio:stop')!(fromWindow(), {});
    const request = await posted(mocks.children[0]!, 'stop');
    mocks.children[0]!.emit('message', {
      kind: 'reply',
      id: request.id,
      ok: true,
      result: { running: false },
    });
    expect(await reply).toEqual({ ok: true, result: { running: false } });
  });

  it('refuses requests from another page or another web contents', async () => {
    const otherPage = { sender: mocks.webContents, senderFrame: { url: 'https://evil.example/' } };
    const otherContents = { sender: {}, senderFrame: fromWindow().senderFrame };
    for (const event of [otherPage, otherContents]) {
      expect(await mocks.handlers.get('folio:stop')!(event, {})).toMatchObject({
        ok: false,
        error: { code: 'untrusted-sender' },
      });
    }
  });

  it("relays the trainer's events to the window", () => {
    const event = { type: 'eval', step: 10, valLoss: 2, bestValLoss: 2 };
    mocks.children[0]!.emit('message', { kind: 'event', event });
    expect(mocks.send).toHaveBeenCalledWith('folio:event', event);
  });

  it('tells the window when the trainer crashes, then starts a new one with the last corpus', async () => {
    mocks.children[0]!.emit('exit', 9);
    expect(mocks.send).toHaveBeenCalledWith('folio:event', {
      type: 'trainerLost',
      message: expect.stringMatching(/^The trainer stopped unexpectedly \(exit code 9\)/),
    });
    expect(mocks.children).toHaveLength(2);
    expect((await posted(mocks.children[1]!, 'openCorpusFile')).params).toEqual(lastCorpus);
  });
});
