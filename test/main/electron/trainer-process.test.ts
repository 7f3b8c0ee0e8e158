/**
 * The trainer as Electron's utility process, with Electron replaced: messages go both
 * ways, and a crash fails pending requests, tells the studio and starts a new trainer.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

class FakeChild extends EventEmitter {
  posted: unknown[] = [];
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  kill = vi.fn();
}
const mocks = vi.hoisted(() => ({ children: [] as unknown[], forkArgs: [] as unknown[][] }));
vi.mock('electron', () => ({
  utilityProcess: {
    fork: (...args: unknown[]) => {
      mocks.forkArgs.push(args);
      const child = new FakeChild();
      mocks.children.push(child);
      return child;
    },
  },
}));

import { utilityTransport } from '../../../src/main/electron/trainer-process';
import { TrainerClient } from '../../../src/main/trainer/client';
import type { StudioEvent } from '../../../src/shared/contract';

const backend = { name: 'wasm', label: 'WebAssembly', skipped: [] };
const helloReply = {
  backend,
  corpus: null,
  model: null,
  training: false,
  builtinCorpus: { name: 'Tiny Shakespeare', bytes: 1 },
};

describe('the utility-process trainer', () => {
  it('forks the built trainer entry and exchanges messages', async () => {
    const client = new TrainerClient(() => utilityTransport('/app/out/main/trainer.js', ['--x']));
    expect(mocks.forkArgs[0]!.slice(0, 2)).toEqual(['/app/out/main/trainer.js', ['--x']]);
    const child = mocks.children.at(-1) as FakeChild;
    const reply = client.call('hello', {});
    expect(child.posted).toEqual([{ kind: 'request', id: 1, method: 'hello', params: {} }]);
    child.emit('message', { kind: 'reply', id: 1, ok: true, result: helloReply });
    expect(await reply).toEqual(helloReply);
    client.close();
    expect(child.kill).toHaveBeenCalled();
  });

  it('refuses a reply that does not fit the contract', async () => {
    const client = new TrainerClient(() => utilityTransport('/t.js', []));
    const child = mocks.children.at(-1) as FakeChild;
    const reply = client.call('stop', {});
    child.emit('message', { kind: 'reply', id: 1, ok: true, result: { running: 'yes' } });
    await expect(reply).rejects.toThrow(/stop reply: running/);
    client.close();
  });

  it('reports a crash, fails what was pending and starts a new trainer', async () => {
    const events: StudioEvent[] = [];
    const client = new TrainerClient(() => utilityTransport('/t.js', []));
    client.onEvent((event) => events.push(event));
    const first = mocks.children.at(-1) as FakeChild;
    const pending = client.call('hello', {});
    first.emit('exit', 134);
    await expect(pending).rejects.toThrow(/The trainer stopped unexpectedly \(exit code 134\)/);
    expect(events).toEqual([
      { type: 'trainerLost', message: expect.stringMatching(/last autosaved checkpoint is kept/) },
    ]);
    const second = mocks.children.at(-1) as FakeChild;
    expect(second).not.toBe(first);
    const again = client.call('hello', {});
    second.emit('message', { kind: 'reply', id: 2, ok: true, result: helloReply });
    expect((await again).backend).toEqual(backend);
    client.close();
  });

  it('stops restarting after repeated crashes', () => {
    const events: StudioEvent[] = [];
    const client = new TrainerClient(() => utilityTransport('/t.js', []));
    client.onEvent((event) => events.push(event));
    for (let i = 0; i < 4; i++) (mocks.children.at(-1) as FakeChild).emit('exit', 1);
    const last = events.at(-1) as { message: string };
    expect(last.message).toMatch(/crashed several times in a row.*restart Folio/);
  });
});
