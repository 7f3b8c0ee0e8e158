/**
 * The trainer behind the contract, in-process: what the studio sees when it opens a
 * corpus, trains, generates, saves and reopens a model.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../../src/main/engine/checkpoint';
import type { StudioEvent } from '../../../src/shared/contract';
import {
  GREEDY,
  inProcessTrainer,
  nextEvent,
  smallCorpusText,
  TINY_MODEL,
  TINY_TRAIN,
} from '../../helpers/studio';

const encoder = new TextEncoder();
const corpusParams = {
  name: 'small.txt',
  bytes: encoder.encode(smallCorpusText()),
  encoding: 'utf-8' as const,
  normalizeNewlines: true,
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup) await step();
  cleanup = [];
});

function trainer(dataDir?: string) {
  const t = inProcessTrainer({ dataDir });
  cleanup.push(async () => t.client.close());
  return t;
}

async function trainTiny(client: ReturnType<typeof trainer>['client'], steps = TINY_TRAIN.steps) {
  const done = nextEvent(client, (e) => e.type === 'done');
  const start = await client.call('train', {
    model: TINY_MODEL,
    settings: { ...TINY_TRAIN, steps },
    resume: false,
  });
  return { start, done: await done };
}

async function generateText(client: ReturnType<typeof trainer>['client'], id: string) {
  let streamed = '';
  const off = client.onEvent((e) => {
    if (e.type === 'sample' && e.id === id) streamed += e.text;
  });
  const reply = await client.call('generate', { id, options: GREEDY });
  off();
  return { reply, streamed };
}

describe('the trainer host', () => {
  it('describes an opened corpus, with line endings normalised', async () => {
    const { client } = trainer();
    const summary = await client.call('openCorpus', {
      ...corpusParams,
      bytes: encoder.encode('ab\r\nba\r\n'),
    });
    expect(summary).toMatchObject({ name: 'small.txt', bytes: 8, chars: 6, newlinesNormalized: 2 });
    expect(summary.vocabSize).toBe(3);
    expect(summary.preview).toBe('ab\nba\n');
  });

  it('refuses to train before a corpus is open, saying what to do', async () => {
    const { client } = trainer();
    await expect(
      client.call('train', { model: TINY_MODEL, settings: TINY_TRAIN, resume: false }),
    ).rejects.toThrow(/Open a corpus first/);
  });

  it('rejects settings outside their range with the settings table message', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    await expect(
      client.call('train', {
        model: TINY_MODEL,
        settings: { ...TINY_TRAIN, lr: 0 },
        resume: false,
      }),
    ).rejects.toThrow(/settings\.lr: Learning rate must be a number greater than 0/);
  });

  it('trains with start, step, eval and done events in order', async () => {
    const { client, events } = trainer();
    await client.call('openCorpus', corpusParams);
    const { start, done } = await trainTiny(client);
    expect(start).toMatchObject({ type: 'start', step: 0, totalSteps: 6 });
    expect(done).toMatchObject({ type: 'done', step: 6, reason: 'finished' });
    const kinds = events.map((e) =>
      e.type === 'step' || e.type === 'eval' ? `${e.type}${e.step}` : e.type,
    );
    expect(kinds).toEqual([
      'start',
      'step1',
      'step2',
      'step3',
      'eval3',
      'step4',
      'step5',
      'step6',
      'eval6',
      'done',
    ]);
    const hello = await client.call('hello', {});
    expect(hello.training).toBe(false);
    expect(hello.model).toMatchObject({ step: 6, corpus: { name: 'small.txt' } });
    expect(hello.model?.trainLoss).toHaveLength(6);
    expect(hello.model?.name).toMatch(/^small-step6-val\d\.\d{3}\.ckpt$/);
  });

  it('generates the same text twice at temperature 0, streamed as sample events', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    await trainTiny(client);
    const first = await generateText(client, 'g1');
    const second = await generateText(client, 'g2');
    expect(first.reply).toEqual({ id: 'g1', reason: 'finished', chars: 40 });
    expect([...first.streamed]).toHaveLength(40);
    expect(second.streamed).toBe(first.streamed);
  });

  it('stops a generation on request, keeping what was made', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    await trainTiny(client);
    const firstPiece = nextEvent(client, (e) => e.type === 'sample');
    const reply = client.call('generate', {
      id: 'long',
      options: { ...GREEDY, length: 1_000_000 },
    });
    await firstPiece;
    expect(await client.call('stopGenerate', { id: 'long' })).toEqual({ running: true });
    const done = await reply;
    expect(done).toMatchObject({ id: 'long', reason: 'stopped' });
    expect(done.chars).toBeGreaterThan(0);
    expect(done.chars).toBeLessThan(1_000_000);
  });

  it('stops a run after the current step', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    const done = nextEvent(client, (e) => e.type === 'done');
    await nextEventAfter(client, () =>
      client.call('train', {
        model: TINY_MODEL,
        settings: { ...TINY_TRAIN, steps: 100_000 },
        resume: false,
      }),
    );
    expect(await client.call('stop', {})).toEqual({ running: true });
    const event = (await done) as Extract<StudioEvent, { type: 'done' }>;
    expect(event.reason).toBe('stopped');
    expect(event.step).toBeLessThan(100_000);
  });

  it('reopens an exported checkpoint that generates the same text and resumes', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    await trainTiny(client);
    const before = await generateText(client, 'a');
    const exported = await client.call('exportCheckpoint', {});

    const other = trainer().client;
    const model = await other.call('openCheckpoint', {
      name: exported.name,
      bytes: exported.bytes,
    });
    expect(model).toMatchObject({ name: exported.name, step: 6, config: { hiddenSize: 16 } });
    expect(model.valLoss.map(([step]) => step)).toEqual([3, 6]);
    expect((await generateText(other, 'b')).streamed).toBe(before.streamed);

    await other.call('openCorpus', corpusParams);
    const done = nextEvent(other, (e) => e.type === 'done');
    const start = await other.call('train', {
      model: TINY_MODEL,
      settings: { ...TINY_TRAIN, steps: 8 },
      resume: true,
    });
    expect(start.step).toBe(6);
    expect(await done).toMatchObject({ step: 8, reason: 'finished' });
  });

  it('refuses to resume on text with new characters, naming them, and adds them when asked', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    await trainTiny(client);
    const before = (await client.call('hello', {})).model!;
    await client.call('openCorpus', {
      ...corpusParams,
      name: 'shouted.txt',
      bytes: encoder.encode(`${smallCorpusText()}HEY!\n`.repeat(2)),
    });
    const resume = { model: TINY_MODEL, settings: { ...TINY_TRAIN, steps: 8 }, resume: true };
    await expect(client.call('train', resume)).rejects.toMatchObject({
      code: 'unknown-characters',
      message: expect.stringMatching(
        /^shouted\.txt has 4 character\(s\) .*: '!', 'E', 'H', 'Y'\. .*choose "Add them and resume"/,
      ),
    });
    // Refused: the model is the one there was, and no run started.
    const hello = await client.call('hello', {});
    expect(hello.training).toBe(false);
    expect(hello.model?.vocab).toEqual(before.vocab);

    const done = nextEvent(client, (e) => e.type === 'done');
    const start = await client.call('train', { ...resume, extendVocab: true });
    expect(start).toMatchObject({ step: 6, vocabSize: before.config.vocabSize + 4 });
    expect(await done).toMatchObject({ reason: 'finished', step: 8 });
    const grown = (await client.call('hello', {})).model!;
    expect(grown.vocab).toEqual([...before.vocab, '!', 'E', 'H', 'Y']);
    expect(grown.config.vocabSize).toBe(before.config.vocabSize + 4);
    const exported = await client.call('exportCheckpoint', {});
    expect(decodeCheckpoint(exported.bytes, exported.name).vocab).toEqual(grown.vocab);
  });

  it('refuses to resume with other model settings than the model has, keeping the model', async () => {
    const { client } = trainer();
    await client.call('openCorpus', corpusParams);
    await trainTiny(client);
    const resume = { settings: { ...TINY_TRAIN, steps: 8 }, resume: true };
    await expect(
      client.call('train', {
        ...resume,
        model: { ...TINY_MODEL, hiddenSize: 64, headDropout: 0.5 },
      }),
    ).rejects.toMatchObject({
      code: 'invalid-setting',
      message: expect.stringMatching(
        /Hidden size is 16 in the model, 64 here; Head dropout is 0 in the model, 0\.5 here\. .*press Train/,
      ),
    });
    expect((await client.call('hello', {})).training).toBe(false);
    const done = nextEvent(client, (e) => e.type === 'done');
    await client.call('train', { ...resume, model: TINY_MODEL });
    expect(await done).toMatchObject({ reason: 'finished', step: 8 });
  });

  it('refuses a damaged checkpoint with the reason', async () => {
    const { client } = trainer();
    await expect(
      client.call('openCheckpoint', { name: 'x.ckpt', bytes: new Uint8Array(4) }),
    ).rejects.toThrow(/x\.ckpt is not a usable Folio checkpoint/);
  });

  it('autosaves at the end of a run and keeps the best-valLoss checkpoint', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'folio-host-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const { client, events } = trainer(dataDir);
    await client.call('openCorpus', corpusParams);
    await trainTiny(client);
    await nextEvent(client, (e) => e.type === 'autosaved' && e.kind === 'autosave');
    expect((await readdir(dataDir)).sort()).toEqual(['autosave.ckpt', 'best.ckpt']);
    expect(events.some((e) => e.type === 'autosaved' && e.kind === 'best')).toBe(true);

    // A new model: the first one's autosaves are kept aside, never mixed with the new ones.
    const saved = nextEvent(client, (e) => e.type === 'autosaved' && e.kind === 'autosave');
    await client.call('train', {
      model: { ...TINY_MODEL, hiddenSize: 12 },
      settings: TINY_TRAIN,
      resume: false,
    });
    await saved;
    expect((await readdir(dataDir)).sort()).toEqual([
      'autosave.ckpt',
      'best.ckpt',
      'previous-autosave.ckpt',
      'previous-best.ckpt',
    ]);
    const width = async (name: string) =>
      decodeCheckpoint(await readFile(join(dataDir, name)), name).config.hiddenSize;
    expect(await width('previous-autosave.ckpt')).toBe(TINY_MODEL.hiddenSize);
    expect(await width('previous-best.ckpt')).toBe(TINY_MODEL.hiddenSize);
    expect(await width('autosave.ckpt')).toBe(12);
    expect(await width('best.ckpt')).toBe(12);
  });
});

/** Runs `start`, then waits for the first step event. */
async function nextEventAfter(
  client: ReturnType<typeof trainer>['client'],
  start: () => Promise<unknown>,
) {
  const step = nextEvent(client, (e) => e.type === 'step');
  await start();
  await step;
}
