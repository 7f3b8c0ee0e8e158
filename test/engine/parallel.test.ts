/**
 * Splitting a batch between two threads must give the gradients of the whole batch: the
 * weighted mean of the halves' means is the batch mean, up to float rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchLoss, initParams, lossAndGrads, type Sequences } from '../../src/main/engine/model';
import { GradHelper } from '../../src/main/engine/parallel';
import type { ModelConfig } from '../../src/shared/settings';
import { useTestBackend } from '../helpers/backend';

let helper: GradHelper | undefined;

beforeAll(async () => {
  const backend = await useTestBackend();
  helper = await GradHelper.start(backend.name === 'cpu' ? 'cpu' : 'wasm');
});

afterAll(async () => {
  await helper?.close();
});

function randomBatch(batchSize: number, seqLen: number, vocabSize: number): Sequences {
  const ids = (k: number) =>
    Int32Array.from({ length: batchSize * seqLen }, (_, i) => (i * 7 + k * 3) % vocabSize);
  return { inputs: ids(0), targets: ids(1), batchSize, seqLen };
}

describe.each([
  [4, 0],
  [5, 0],
  [5, 0.3],
])('gradients of a batch of %i windows on two threads, dropout %f', (batchSize, rate) => {
  it('match the gradients computed on one thread', async () => {
    expect(helper, 'the gradient worker should start').toBeDefined();
    const config: ModelConfig = {
      vocabSize: 11,
      embedSize: 6,
      hiddenSize: 8,
      numLayers: 2,
      dropout: rate,
      headDropout: rate / 2,
    };
    const params = initParams(config, 5);
    const seqs = randomBatch(batchSize, 7, config.vocabSize);
    // Each half must draw the masks the whole batch would for its windows.
    const dropout = rate > 0 ? { seed: 9, step: 4 } : undefined;
    const one = lossAndGrads(params, config, seqs, dropout);
    const two = await helper!.lossAndGrads(params, config, seqs, dropout);
    expect(two.loss).toBeCloseTo(one.loss, 6);
    for (const [name, g] of Object.entries(one.grads)) {
      const a = g.dataSync();
      const b = two.grads[name]!.dataSync();
      const scale = Math.max(1e-3, ...Array.from(a, Math.abs));
      const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
      expect(worst / scale, name).toBeLessThan(1e-5);
    }
    tf.dispose([
      ...Object.values(params),
      ...Object.values(one.grads),
      ...Object.values(two.grads),
    ]);
  });
});

describe('valLoss on two threads', () => {
  it('is the mean of every batch loss, as on one thread', async () => {
    const config: ModelConfig = {
      vocabSize: 11,
      embedSize: 6,
      hiddenSize: 8,
      numLayers: 2,
      dropout: 0.3, // never applied when evaluating
      headDropout: 0.2,
    };
    const params = initParams(config, 8);
    const batches = [1, 2, 3, 4, 5].map((k) => {
      const b = randomBatch(3, 6, config.vocabSize);
      return { ...b, inputs: b.inputs.map((id) => (id * k + 1) % config.vocabSize) };
    });
    const losses = batches.map((b) => batchLoss(params, config, b));
    const one = losses.reduce((a, b) => a + b, 0) / losses.length;
    expect(new Set(losses).size).toBe(5); // distinct batches, so a lost half would show
    expect(await helper!.meanLoss(params, config, batches)).toBeCloseTo(one, 6);
    expect(await helper!.meanLoss(params, config, batches.slice(0, 1))).toBeCloseTo(losses[0]!, 6);
    tf.dispose(Object.values(params));
  });
});

describe('a gradient worker that has stopped', () => {
  it('leaves the whole batch to this thread, with the same result', async () => {
    const config: ModelConfig = {
      vocabSize: 7,
      embedSize: 3,
      hiddenSize: 4,
      numLayers: 1,
      dropout: 0,
      headDropout: 0,
    };
    const stopped = await GradHelper.start('wasm');
    expect(stopped).toBeDefined();
    await stopped!.close();
    const params = initParams(config, 2);
    const seqs = randomBatch(4, 5, config.vocabSize);
    const one = lossAndGrads(params, config, seqs);
    const two = await stopped!.lossAndGrads(params, config, seqs);
    expect(two.loss).toBe(one.loss);
    tf.dispose([
      ...Object.values(params),
      ...Object.values(one.grads),
      ...Object.values(two.grads),
    ]);
  });
});
