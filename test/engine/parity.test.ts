/**
 * Folio's GRU against torch.nn.GRU: logits, loss, gradients and two clipped Adam steps
 * for fixed weights and inputs. The reference (test/fixtures/gru-parity.json) was made
 * in float64 by test/fixtures/make_gru_parity.py with Debian's python3-torch.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamStep, globalNorm, initAdam } from '../../src/main/engine/adam';
import {
  batchLoss,
  headLogits,
  layerWeights,
  lossAndGrads,
  type Params,
} from '../../src/main/engine/model';
import { gruForward } from '../../src/main/engine/gru';
import type { ModelConfig } from '../../src/shared/settings';
import { useTestBackend } from '../helpers/backend';

interface FixtureTensor {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  config: {
    vocabSize: number;
    embedSize: number;
    hiddenSize: number;
    numLayers: number;
    batchSize: number;
    seqLen: number;
  };
  inputs: number[][];
  targets: number[][];
  params: Record<string, FixtureTensor>;
  logits: FixtureTensor;
  loss: number;
  grads: Record<string, FixtureTensor>;
  gradNorm: number;
  adam: { lr: number; clip: number; paramsAfter: Record<string, FixtureTensor> };
  lossesDuringAdam: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/gru-parity.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};

function setup(c: Case) {
  const { batchSize: B, seqLen: T } = c.config;
  const config: ModelConfig = { ...c.config, dropout: 0, headDropout: 0 };
  const params: Params = {};
  for (const [name, t] of Object.entries(c.params))
    params[name] = tf.tensor(t.data, t.shape, 'float32');
  // The fixture is batch-major [B][T]; Folio's rows are time-major (t * B + b).
  const inputs = new Int32Array(T * B);
  const targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      inputs[t * B + b] = c.inputs[b]![t]!;
      targets[t * B + b] = c.targets[b]![t]!;
    }
  }
  return { config, params, seqs: { inputs, targets, batchSize: B, seqLen: T } };
}

/** Largest |a - b| relative to the reference's largest magnitude. */
function relError(actual: ArrayLike<number>, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

beforeAll(async () => {
  await useTestBackend();
});

describe.each(fixture.cases)('the $name GRU matches torch.nn.GRU', (c) => {
  it('in logits and loss', () => {
    const { config, params, seqs } = setup(c);
    const { batchSize: B, seqLen: T, vocabSize: V } = c.config;
    const logits = tf.tidy(() => {
      let x = tf.gather(params['embed.weight']!, tf.tensor1d(seqs.inputs, 'int32')) as tf.Tensor2D;
      for (let l = 0; l < config.numLayers; l++)
        x = gruForward(layerWeights(params, l), x, T, B, false).y;
      return headLogits(params, x).dataSync();
    });
    const batchMajor = new Float32Array(B * T * V);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        batchMajor.set(logits.subarray((t * B + b) * V, (t * B + b + 1) * V), (b * T + t) * V);
      }
    }
    expect(relError(batchMajor, c.logits.data)).toBeLessThan(1e-5);
    expect(batchLoss(params, config, seqs)).toBeCloseTo(c.loss, 5);
  });

  it('in every gradient and the global norm', () => {
    const { config, params, seqs } = setup(c);
    const { loss, grads } = lossAndGrads(params, config, seqs);
    expect(loss).toBeCloseTo(c.loss, 5);
    for (const [name, want] of Object.entries(c.grads)) {
      expect(grads[name]!.shape, name).toEqual(want.shape);
      expect(relError(grads[name]!.dataSync(), want.data), name).toBeLessThan(1e-4);
    }
    expect(globalNorm(grads)).toBeCloseTo(c.gradNorm, 5);
  });

  it('after two clipped Adam steps', () => {
    const { config, params, seqs } = setup(c);
    const state = initAdam(params);
    for (let step = 0; step < 2; step++) {
      const { loss, grads } = lossAndGrads(params, config, seqs);
      expect(loss).toBeCloseTo(c.lossesDuringAdam[step]!, 5);
      adamStep(params, grads, state, c.adam.lr, c.adam.clip, globalNorm(grads));
      tf.dispose(Object.values(grads));
    }
    for (const [name, want] of Object.entries(c.adam.paramsAfter)) {
      expect(relError(params[name]!.dataSync(), want.data), name).toBeLessThan(1e-5);
    }
  });
});
