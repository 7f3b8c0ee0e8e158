import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusFromBytes } from '../../src/main/engine/corpus';
import { FolioError } from '../../src/main/engine/errors';
import { generate, type GenerateOptions } from '../../src/main/engine/generate';
import { gruForward } from '../../src/main/engine/gru';
import { headLogits, initParams, layerWeights, type Params } from '../../src/main/engine/model';
import { argmax } from '../../src/main/engine/sampler';
import { Session } from '../../src/main/engine/session';
import { train } from '../../src/main/engine/train';
import type { ModelConfig } from '../../src/shared/settings';
import { useTestBackend } from '../helpers/backend';
import { TINY_MODEL, TINY_TRAIN, tinyCorpus } from '../helpers/tiny';

beforeAll(useTestBackend);

const options = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
  length: 40,
  temperature: 1,
  topK: 0,
  topP: 1,
  prime: '',
  seed: 1,
  dropUnknown: false,
  ...o,
});

async function text(session: Session, o: Partial<GenerateOptions>): Promise<string> {
  let out = '';
  for await (const ch of generate(session, options(o))) out += ch;
  return out;
}

async function trained(corpusText: string, steps = 15): Promise<Session> {
  const corpus = tinyCorpus(corpusText);
  const session = Session.create(corpus, TINY_MODEL, { ...TINY_TRAIN, steps, valFraction: 0 });
  await train(session, corpus);
  return session;
}

describe('generation', () => {
  it('trains on Cyrillic text and continues a Cyrillic prime', async () => {
    const session = await trained('тест мир\n'.repeat(300));
    const out = await text(session, { prime: 'тест', length: 60 });
    expect([...out]).toHaveLength(60);
    for (const ch of out) expect(session.vocab.has(ch)).toBe(true);
    session.dispose();
  });

  it('writes accented and CJK characters as whole symbols, so the output is valid UTF-8', async () => {
    const session = await trained('café naïve 你好 '.repeat(120));
    const out = await text(session, { length: 200, prime: '你' });
    expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(out))).toBe(
      out,
    );
    expect(out).not.toMatch(/[\uD800-\uDFFF]/u);
    session.dispose();
  });

  it('starts from the vocabulary when the prime is empty and the corpus has no spaces or newlines', async () => {
    const session = await trained('abcabcabd'.repeat(100));
    const out = await text(session, { prime: '' });
    expect([...out]).toHaveLength(40);
    session.dispose();
  });

  it('names prime characters the model never saw, or drops them when asked', async () => {
    const session = await trained('hello there, said the cat. '.repeat(40));
    const err = await text(session, { prime: 'Hi!' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(FolioError);
    expect((err as Error).message).toMatch(/'H', '!'/);
    expect((err as Error).message).toContain('--drop-unknown');
    expect([...(await text(session, { prime: 'Hi!', dropUnknown: true }))]).toHaveLength(40);
    session.dispose();
  });

  it('counts only new characters in the length, even when it is shorter than the prime', async () => {
    const session = await trained('the cat sat on the mat. '.repeat(40));
    expect([...(await text(session, { prime: 'the cat sat on', length: 3 }))]).toHaveLength(3);
    session.dispose();
  });

  it('is repeatable: greedy always, and sampled for the same seed', async () => {
    const session = await trained('the cat sat on the mat. '.repeat(40));
    const greedy = await text(session, { temperature: 0, prime: 'the' });
    expect(await text(session, { temperature: 0, prime: 'the', seed: 99 })).toBe(greedy);
    expect(await text(session, { temperature: 1e-4, prime: 'the' })).toBe(greedy);
    expect(await text(session, { seed: 5, prime: 'the' })).toBe(
      await text(session, { seed: 5, prime: 'the' }),
    );
    session.dispose();
  });

  it.each([
    [{ temperature: -0.5 }, 'Temperature'],
    [{ temperature: NaN }, 'Temperature'],
    [{ length: 0 }, 'Length'],
    [{ topP: 0 }, 'Top-p'],
  ])('rejects %o before generating', async (bad, field) => {
    const session = await trained('the cat sat on the mat. '.repeat(40), 1);
    const err = await text(session, bad).catch((e: Error) => e);
    expect(err).toBeInstanceOf(FolioError);
    expect((err as Error).message).toContain(field);
    session.dispose();
  });
});

/** Greedy next symbol after `ids`, by running the whole prefix through gruForward. */
function greedyByForward(params: Params, config: ModelConfig, ids: number[]): number {
  const logits = tf.tidy(() => {
    let x = tf.gather(params['embed.weight']!, tf.tensor1d(ids, 'int32')) as tf.Tensor2D;
    for (let l = 0; l < config.numLayers; l++) {
      x = gruForward(layerWeights(params, l), x, ids.length, 1, false).y;
    }
    return headLogits(params, x).dataSync();
  });
  return argmax(logits.subarray((ids.length - 1) * config.vocabSize));
}

describe.each([1, 2])('greedy generation with %i layer(s)', (numLayers) => {
  it('picks the characters the batch forward pass would', async () => {
    const corpus = corpusFromBytes(new TextEncoder().encode('abcdefgh ijk\n'), 'tiny.txt');
    const config: ModelConfig = {
      vocabSize: corpus.vocab.size,
      embedSize: 5,
      hiddenSize: 7,
      numLayers,
      dropout: 0,
      headDropout: 0,
    };
    // Larger weights than the default, so the greedy choice is not a near tie.
    const params = tf.tidy(() => {
      const p = initParams(config, 3);
      return Object.fromEntries(Object.entries(p).map(([k, t]) => [k, tf.mul(t, 3)]));
    });
    const model = { config, vocab: corpus.vocab, params };
    const opts = { temperature: 0, topK: 0, topP: 1, seed: 1, dropUnknown: false };

    let text = '';
    for await (const ch of generate(model, { ...opts, prime: 'ab', length: 12 })) text += ch;

    const ids = [...corpus.vocab.encode('ab')];
    for (let i = 0; i < 12; i++) ids.push(greedyByForward(params, config, ids));
    expect(text).toBe([...ids.slice(2)].map((id) => corpus.vocab.chars[id]).join(''));
    tf.dispose(Object.values(params));
  });
});
