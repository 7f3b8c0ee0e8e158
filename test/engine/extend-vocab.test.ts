/**
 * Growing a model's vocabulary on resume (case 16 of the bad-input issue): new characters
 * go at the end, nothing the model knew moves or changes, and the grown model trains on,
 * saves and loads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
} from '../../src/main/engine/checkpoint';
import { extendVocab } from '../../src/main/engine/extend-vocab';
import { Session } from '../../src/main/engine/session';
import { train } from '../../src/main/engine/train';
import type { TrainEvent } from '../../src/shared/events';
import { useTestBackend } from '../helpers/backend';
import { TINY_MODEL, TINY_TRAIN, tinyCorpus } from '../helpers/tiny';

const cats = tinyCorpus('the cat sat on the mat. '.repeat(40), 'cats.txt');
// Six new characters ('!', '?', 'O', 'T', 'W', 'r'); 'm' is known but absent here: fine.
const shouts = tinyCorpus('The cat sat! Where? On the hat! '.repeat(40), 'shouts.txt');
const temp = mkdtempSync(join(tmpdir(), 'folio-vocab-'));
let trained: Checkpoint;

beforeAll(async () => {
  const backend = (await useTestBackend()).name;
  const session = Session.create(cats, TINY_MODEL, { ...TINY_TRAIN, steps: 5 });
  await train(session, cats);
  trained = session.toCheckpoint(backend);
  session.dispose();
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The same float32 bits (so -0 and NaN patterns count too). */
function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(
    values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
  );
}

describe('extending the vocabulary', () => {
  it('names only the characters the model lacks, in code-point order', () => {
    const session = Session.fromCheckpoint(trained);
    expect(session.missingChars(shouts)).toEqual(['!', '?', 'O', 'T', 'W', 'r']);
    expect(session.missingChars(cats)).toEqual([]);
    session.dispose();
  });

  it('appends new characters, keeping every old index and weight bit for bit', () => {
    const added = ['!', '?', 'T'];
    const grown = extendVocab(trained, added, 7);
    const V = trained.config.vocabSize;
    const { embedSize: E, hiddenSize: H } = trained.config;
    expect(grown.config).toEqual({ ...trained.config, vocabSize: V + 3 });
    expect(grown.vocab).toEqual([...trained.vocab, ...added]);
    for (const [name, before] of Object.entries(trained.params)) {
      const after = grown.params[name]!;
      expect(bits(after.subarray(0, before.length)), name).toEqual(bits(before));
      for (const moments of ['expAvg', 'expAvgSq'] as const) {
        const old = trained.adam![moments][name]!;
        const now = grown.adam![moments][name]!;
        expect(bits(now.subarray(0, old.length)), `${moments} ${name}`).toEqual(bits(old));
        // Adam starts afresh for the new rows.
        expect([...now.subarray(old.length)].every((v) => v === 0)).toBe(true);
        expect(now.length).toBe(after.length);
      }
    }
    expect(grown.adam!.step).toBe(trained.adam!.step);
    expect(grown.params['gru.weight_ih_l0']!.length).toBe(
      trained.params['gru.weight_ih_l0']!.length,
    );

    // The new rows: head weights zero, head bias the lowest old bias, fresh embeddings.
    expect([...grown.params['head.weight']!.subarray(V * H)]).toEqual(new Array(3 * H).fill(0));
    const lowest = Math.min(...trained.params['head.bias']!);
    expect([...grown.params['head.bias']!.subarray(V)]).toEqual([lowest, lowest, lowest]);
    const rows = grown.params['embed.weight']!.subarray(V * E);
    expect(rows).toHaveLength(3 * E);
    expect(rows.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    expect(new Set(rows).size).toBe(3 * E);
  });

  it('draws the new embedding rows from the seed: the same seed, the same model', () => {
    const embed = (seed: number) => extendVocab(trained, ['!', '?'], seed).params['embed.weight']!;
    expect(bits(embed(7))).toEqual(bits(embed(7)));
    expect(bits(embed(7))).not.toEqual(bits(embed(8)));
    // A row belongs to its index: the first new row is the same whatever follows it.
    const V = trained.config.vocabSize;
    const E = trained.config.embedSize;
    const first = (chars: string[]) =>
      bits(extendVocab(trained, chars, 7).params['embed.weight']!.subarray(V * E, (V + 1) * E));
    expect(first(['!'])).toEqual(first(['!', '?', 'T']));
  });

  it('leaves a weights-only checkpoint without optimizer state', () => {
    const { adam: _adam, ...weightsOnly } = trained;
    const grown = extendVocab(weightsOnly, ['!'], 1);
    expect(grown.adam).toBeUndefined();
    expect(grown.config.vocabSize).toBe(trained.config.vocabSize + 1);
  });

  it('trains on the new text with a finite loss, and saves and loads the grown model', async () => {
    const session = Session.fromCheckpoint(trained);
    expect(() => session.encodeCorpus(shouts)).toThrow(
      /shouts\.txt has 6 character\(s\) that this model's vocabulary lacks: '!', '\?', 'O', 'T', 'W', 'r'\./,
    );
    const grown = session.withExtraChars(session.missingChars(shouts), 1);
    expect(session.config.vocabSize).toBe(trained.config.vocabSize); // the original stays
    session.dispose();
    expect(grown.vocab.chars.slice(0, trained.vocab.length)).toEqual(trained.vocab);
    for (const [i, ch] of trained.vocab.entries()) expect(grown.vocab.indexOf(ch)).toBe(i);

    grown.training.settings.steps = 12;
    const losses: number[] = [];
    const done = await train(grown, shouts, {
      onEvent: (e: TrainEvent) => e.type === 'step' && losses.push(e.trainLoss),
    });
    expect(done).toMatchObject({ reason: 'finished', step: 12 });
    expect(losses).toHaveLength(7);
    expect(losses.every(Number.isFinite)).toBe(true);

    const path = join(temp, 'grown.ckpt');
    await saveCheckpoint(path, grown.toCheckpoint('test'));
    const loaded = await loadCheckpoint(path);
    expect(loaded.config.vocabSize).toBe(trained.config.vocabSize + 6);
    expect(loaded.vocab).toEqual([...trained.vocab, '!', '?', 'O', 'T', 'W', 'r']);
    expect(loaded.training.step).toBe(12);
    const again = decodeCheckpoint(encodeCheckpoint(loaded), 'again.ckpt');
    expect(bits(again.params['head.bias']!)).toEqual(bits(loaded.params['head.bias']!));
    grown.dispose();
  });
});
