/**
 * The trainer as its own Node process (as browser mode runs it): requests, events and
 * bytes cross the process boundary, and a crash is reported and followed by a new trainer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TrainerClient } from '../../../src/main/trainer/client';
import { forkTransport } from '../../../src/main/trainer/transports';
import type { StudioEvent } from '../../../src/shared/contract';
import { GREEDY, nextEvent, smallCorpusText, TINY_MODEL, TINY_TRAIN } from '../../helpers/studio';

const entry = new URL('../../../src/main/trainer/entry.ts', import.meta.url).pathname;
let client: TrainerClient | undefined;
afterEach(() => client?.close());

let latestPid: number | undefined;

function forkedTrainer(): TrainerClient {
  return new TrainerClient(() => {
    const transport = forkTransport(
      entry,
      ['--corpus-url', 'http://127.0.0.1:0/not-used'],
      ['--import', 'tsx'],
    );
    latestPid = transport.pid;
    return transport;
  });
}

const corpus = {
  name: 'small.txt',
  bytes: new TextEncoder().encode(smallCorpusText()),
  encoding: 'utf-8' as const,
  normalizeNewlines: true,
};

describe('a forked trainer', () => {
  it('opens a corpus sent as bytes and trains, sending events back', async () => {
    client = forkedTrainer();
    const hello = await client.call('hello', {});
    expect(['tensorflow', 'wasm', 'cpu']).toContain(hello.backend.name);
    const summary = await client.call('openCorpus', corpus);
    expect(summary.chars).toBe(smallCorpusText().length);
    const done = nextEvent(client, (e) => e.type === 'done');
    await client.call('train', { model: TINY_MODEL, settings: TINY_TRAIN, resume: false });
    expect(await done).toMatchObject({ reason: 'finished', step: 6 });
    const exported = await client.call('exportCheckpoint', {});
    expect(exported.bytes).toBeInstanceOf(Uint8Array);
    expect(exported.bytes.length).toBeGreaterThan(1000);
  });

  it('reports a crashed trainer, fails its pending request and starts a new one', async () => {
    client = forkedTrainer();
    await client.call('openCorpus', corpus);
    const done = nextEvent(client, (e) => e.type === 'done');
    await client.call('train', { model: TINY_MODEL, settings: TINY_TRAIN, resume: false });
    await done;
    const lost = nextEvent(client, (e) => e.type === 'trainerLost');
    // A long generation is still running when the process dies under it.
    const firstText = nextEvent(client, (e) => e.type === 'sample');
    const pending = client.call('generate', {
      id: 'long',
      options: { ...GREEDY, length: 1_000_000 },
    });
    await firstText;
    process.kill(latestPid!, 'SIGKILL');
    await expect(pending).rejects.toThrow(/The trainer stopped unexpectedly \(signal SIGKILL\)/);
    const event = (await lost) as Extract<StudioEvent, { type: 'trainerLost' }>;
    expect(event.message).toMatch(/A new one has started with no model loaded/);
    expect((await client.call('hello', {})).model).toBeNull();
  });

  it('talks over process.parentPort when started as a utility process', async () => {
    const fakePort = new URL('../../helpers/fake-parent-port.ts', import.meta.url).pathname;
    client = new TrainerClient(() =>
      forkTransport(
        entry,
        ['--corpus-url', 'http://127.0.0.1:0/not-used'],
        ['--import', 'tsx', '--import', fakePort],
      ),
    );
    expect((await client.call('openCorpus', corpus)).name).toBe('small.txt');
  });
});
