/**
 * The built trainer bundle (out/main/trainer.js, what Electron starts as its utility
 * process) runs under plain Node, without tsx: it loads the engine, opens a corpus and
 * trains. Electron itself cannot be downloaded here, so this is the closest check.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainerClient } from '../../src/main/trainer/client';
import { forkTransport } from '../../src/main/trainer/transports';
import { nextEvent, smallCorpusText, TINY_MODEL, TINY_TRAIN } from '../helpers/studio';

const bundle = join(new URL('../../', import.meta.url).pathname, 'out/main/trainer.js');
const client = new TrainerClient(() =>
  forkTransport(bundle, ['--corpus-url', 'http://127.0.0.1:0/not-used'], []),
);
afterAll(() => client.close());

describe('the built trainer bundle', () => {
  it('trains a tiny model under plain Node', async () => {
    await client.call('openCorpus', {
      name: 'small.txt',
      bytes: new TextEncoder().encode(smallCorpusText()),
      encoding: 'utf-8',
      normalizeNewlines: true,
    });
    const done = nextEvent(client, (e) => e.type === 'done');
    await client.call('train', { model: TINY_MODEL, settings: TINY_TRAIN, resume: false });
    expect(await done).toMatchObject({ reason: 'finished', step: 6 });
  });
});
