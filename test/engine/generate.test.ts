/**
 * Generation runs the network one character at a time with its own fast path (gates in
 * JS, fused multiplies); it must pick the same characters as the batch forward pass that
 * training uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusFromBytes } from '../../src/main/engine/corpus';
import { generate } from '../../src/main/engine/generate';
import { argmax } from '../../src/main/engine/sampler';
import { gruForward } from '../../src/main/engine/gru';
import { headLogits, initParams, layerWeights, type Params } from '../../src/main/engine/model';
import type { ModelConfig } from '../../src/shared/settings';
import { useTestBackend } from '../helpers/backend';

beforeAll(async () => {
  await useTestBackend();
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
