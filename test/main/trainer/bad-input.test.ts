/**
 * The cases of the bad-input issue (docs/bad-input.md) as the studio meets them, through
 * the trainer in this process: text in any script, wrong encodings and corpora too small,
 * a diverging run, and messages that break the contract. Each is answered with a reason;
 * the trainer goes on answering.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrainerHost } from '../../../src/main/trainer/host';
import { TINY_SHAKESPEARE } from '../../../src/main/trainer/builtin-corpus';
import type { CorpusOptions, ServerMessage, StudioEvent } from '../../../src/shared/contract';
import { DEFAULT_MODEL, DEFAULT_TRAIN } from '../../../src/shared/settings';
import { GREEDY, inProcessTrainer, nextEvent, TINY_MODEL, TINY_TRAIN } from '../../helpers/studio';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup) await step();
  cleanup = [];
});

function trainer(dataDir?: string) {
  const t = inProcessTrainer({ dataDir });
  cleanup.push(() => t.client.close());
  return t.client;
}

type Client = ReturnType<typeof trainer>;
const options: CorpusOptions = { encoding: 'utf-8', normalizeNewlines: true };

function open(client: Client, text: string | Uint8Array, name = 'text.txt', opts = options) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return client.call('openCorpus', { ...opts, name, bytes });
}

async function trainTiny(client: Client, settings = {}) {
  const done = nextEvent(client, (e) => e.type === 'done');
  await client.call('train', {
    model: TINY_MODEL,
    settings: { ...TINY_TRAIN, ...settings },
    resume: false,
  });
  return (await done) as Extract<StudioEvent, { type: 'done' }>;
}

async function sample(client: Client, prime: string) {
  let text = '';
  const off = client.onEvent((e) => {
    if (e.type === 'sample') text += e.text;
  });
  await client.call('generate', { id: prime, options: { ...GREEDY, temperature: 1, prime } });
  off();
  return text;
}

describe('the trainer with bad input', () => {
  it('trains on Cyrillic, accented and CJK text and streams whole characters', async () => {
    const client = trainer();
    for (const [line, prime, symbols] of [
      ['тест мир\n', 'тест', ['т', 'е', 'с', 'м', 'и', 'р']],
      ['café naïve 你好 ', '你', ['é', 'ï', '你', '好']],
    ] as const) {
      const corpus = await open(client, line.repeat(300));
      expect(corpus.vocabSize).toBe(new Set(line).size);
      await trainTiny(client);
      const model = (await client.call('hello', {})).model!;
      for (const ch of symbols) expect(model.vocab).toContain(ch);
      const text = await sample(client, prime);
      expect([...text]).toHaveLength(GREEDY.length);
      for (const ch of text) expect(model.vocab).toContain(ch);
    }
  });

  it('refuses Windows-1252 bytes as UTF-8 with the offset and the fix, and reads them as asked', async () => {
    const client = trainer();
    const bytes = new Uint8Array(
      Array.from({ length: 100 }, () => [0x49, 0x74, 0x92, 0x73, 0x0a]).flat(),
    );
    await expect(open(client, bytes, 'win.txt')).rejects.toThrow(
      /^win\.txt is not valid UTF-8: byte 0x92 at offset 2\. .*--encoding windows-1252/,
    );
    const corpus = await open(client, bytes, 'win.txt', { ...options, encoding: 'windows-1252' });
    expect(corpus.preview.startsWith('It\u2019s\n')).toBe(true);
  });

  it.each([
    ['an empty file', '', /empty\.txt is empty/],
    ['only a newline', '\n', /has 1 distinct character\(s\) \(only "\\n"/],
    ['one distinct character', 'aaaa', /has 1 distinct character\(s\) \(only 'a'\)/],
  ])('refuses %s, saying why, and keeps the corpus it had', async (_, text, reason) => {
    const client = trainer();
    await open(client, 'the cat sat on the mat.\n', 'kept.txt');
    await expect(open(client, text, 'empty.txt')).rejects.toThrow(reason);
    expect((await client.call('hello', {})).corpus?.name).toBe('kept.txt');
  });

  it('refuses a corpus too small for the settings before a step, naming settings that fit', async () => {
    const client = trainer();
    await open(client, 'abcdefghij klmnopqrst\n'.repeat(47).slice(0, 1024), 'one-kb.txt');
    const settings = { ...DEFAULT_TRAIN, seqLen: 100, batchSize: 64, valFraction: 0.15 };
    await expect(
      client.call('train', { model: DEFAULT_MODEL, settings, resume: false }),
    ).rejects.toThrow(/Largest settings that fit: --batch-size 8 \(with --seq-len 100\)/);
    const hello = await client.call('hello', {});
    expect(hello.training).toBe(false);
    expect(hello.model).toBeNull();
  });

  it('stops a diverging run with the advice to lower the learning rate, and saves nothing bad', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'folio-diverge-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const client = trainer(dataDir);
    await open(client, 'the cat sat on the mat. the dog sat on the log.\n'.repeat(60));
    const done = await trainTiny(client, { lr: 10, steps: 50, evalEvery: 100 });
    expect(done.reason).toBe('diverged');
    expect(done.message).toMatch(/Lower the learning rate \(now 10; try 0\.003\)/);
    expect(done.step).toBeLessThan(50);
    expect(await readdir(dataDir)).toEqual([]); // no autosave of a diverged run
    // The model kept is the last good one: it still generates.
    expect([...(await sample(client, 'the '))]).toHaveLength(GREEDY.length);
  });

  it('answers messages that break the contract with the reason, and keeps working', async () => {
    const replies: ServerMessage[] = [];
    const host = new TrainerHost({
      send: (message) => replies.push(message),
      builtinCorpus: { ...TINY_SHAKESPEARE, url: 'http://127.0.0.1:0/not-used' },
    });
    const request = (id: number, method: string, params: unknown) =>
      host.handle({ kind: 'request', id, method, params });
    await host.handle(null);
    await host.handle('{"kind":"request"}');
    await request(1, 'train', { model: { hiddenSize: -5 }, settings: 'fast', resume: 1 });
    await request(2, 'train', {});
    await request(3, 'generate', { id: 'g', options: { ...GREEDY, length: 1e12, topK: -3 } });
    await request(4, 'openCorpus', { name: 'x.txt', bytes: [1, 2, 3], encoding: 'utf-8' });
    await request(5, '__proto__', {});
    await request(6, 'hello', {});
    const byId = (id: number) => replies.find((r) => r.kind === 'reply' && r.id === id);
    expect(replies).toHaveLength(6); // nothing to answer for the two non-requests
    expect(byId(1)).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-message',
        message: expect.stringMatching(/^train params: model\.embedSize: .*settings: .*resume: /),
      },
    });
    expect(byId(2)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^train params: model: .*; settings: /) },
    });
    expect(byId(3)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/Length must be .*Top-k must be/) },
    });
    expect(byId(4)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/bytes: expected bytes/) },
    });
    expect(byId(5)).toMatchObject({
      ok: false,
      error: { message: 'Unknown request "__proto__".' },
    });
    expect(byId(6)).toMatchObject({ ok: true, result: { training: false } });
  });
});
