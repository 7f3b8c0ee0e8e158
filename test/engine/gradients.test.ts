/**
 * The hand-written backward pass against TF.js autodiff of the same model written
 * naively (a slice per timestep, one-hot embedding): two layers, with dropout between
 * them and before the head.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by default; the reference needs them, Folio does not.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dropoutMask,
  initParams,
  lossAndGrads,
  paramShapes,
  type Params,
} from '../../src/main/engine/model';
import { Rng } from '../../src/main/engine/rng';
import type { ModelConfig } from '../../src/shared/settings';
import { useTestBackend } from '../helpers/backend';

beforeAll(useTestBackend);

const config: ModelConfig = {
  vocabSize: 6,
  embedSize: 4,
  hiddenSize: 5,
  numLayers: 2,
  dropout: 0.3,
  headDropout: 0.2,
};
const B = 3;
const T = 7;

/** Reference forward with tf ops only, so tf.grads can differentiate it. */
function referenceLoss(
  p: Params,
  inputs: Int32Array,
  targets: Int32Array,
  masks: tf.Tensor2D[],
): tf.Scalar {
  const H = config.hiddenSize;
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(inputs, 'int32'), config.vocabSize), 'float32');
  let x = tf.matMul(oneHot, p['embed.weight']!) as tf.Tensor2D; // [T*B, E]
  for (let l = 0; l < config.numLayers; l++) {
    const wih = p[`gru.weight_ih_l${l}`]!;
    const whh = p[`gru.weight_hh_l${l}`]!;
    let h = tf.zeros([B, H]) as tf.Tensor2D;
    const outs: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.slice(x, [t * B, 0], [B, -1]);
      const gi = tf.add(tf.matMul(xt, wih, false, true), p[`gru.bias_ih_l${l}`]!);
      const gh = tf.add(tf.matMul(h, whh, false, true), p[`gru.bias_hh_l${l}`]!);
      const [ir, iz, inn] = tf.split(gi, 3, 1);
      const [hr, hz, hn] = tf.split(gh, 3, 1);
      const r = tf.sigmoid(tf.add(ir!, hr!));
      const z = tf.sigmoid(tf.add(iz!, hz!));
      const n = tf.tanh(tf.add(inn!, tf.mul(r, hn!)));
      h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
      outs.push(h);
    }
    x = tf.concat(outs, 0);
    if (masks[l]) x = tf.mul(x, masks[l]!);
  }
  const logits = tf.add(tf.matMul(x, p['head.weight']!, false, true), p['head.bias']!);
  const targetsOneHot = tf.cast(
    tf.oneHot(tf.tensor1d(targets, 'int32'), config.vocabSize),
    'float32',
  );
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), targetsOneHot), 1)));
}

describe('the hand-written backward pass', () => {
  it('matches autodiff for every parameter, through two layers and both dropouts', () => {
    const params = initParams(config, 11);
    const rng = new Rng(3);
    const inputs = Int32Array.from({ length: T * B }, () => rng.int(config.vocabSize));
    const targets = Int32Array.from({ length: T * B }, () => rng.int(config.vocabSize));
    const dropout = { seed: 5, step: 1 };
    const { loss, grads } = lossAndGrads(
      params,
      config,
      { inputs, targets, batchSize: B, seqLen: T },
      dropout,
    );

    // The masks lossAndGrads drew: between the layers, and before the head.
    const H = config.hiddenSize;
    const masks = [
      dropoutMask(config.dropout, dropout, 0, T, B, H),
      dropoutMask(config.headDropout, dropout, 1, T, B, H),
    ];
    const dropped = masks.map((m) => Array.from(m.dataSync()).filter((v) => v === 0).length);
    expect(dropped[0]).toBeGreaterThan(0); // both masks really drop something
    expect(dropped[1]).toBeGreaterThan(0);
    const names = paramShapes(config).map(([name]) => name);
    const f = (...values: tf.Tensor[]) =>
      referenceLoss(
        Object.fromEntries(names.map((n, i) => [n, values[i]!])),
        inputs,
        targets,
        masks,
      );
    const { value, grads: expected } = tf.valueAndGrads(f)(names.map((n) => params[n]!));

    expect(loss).toBeCloseTo(value.dataSync()[0]!, 5);
    names.forEach((name, i) => {
      const want = expected[i]!.dataSync();
      const got = grads[name]!.dataSync();
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      const worst = Math.max(...Array.from(want, (w, k) => Math.abs(w - got[k]!)));
      expect(worst / scale, name).toBeLessThan(1e-4);
    });
  });
});
