/**
 * The character model: embedding -> numLayers GRU layers -> linear head over the vocabulary.
 *
 * Parameters carry PyTorch's names and shapes (embed.weight [V, E], gru.weight_ih_l0
 * [3H, E], gru.weight_hh_l0 [3H, H], gru.bias_ih_l0 / gru.bias_hh_l0 [3H], ..._l1 ...,
 * head.weight [V, H], head.bias [V]), so a checkpoint loads into the equivalent
 * torch.nn.Embedding / nn.GRU / nn.Linear unchanged. Legend: B batchSize, T seqLen,
 * V vocabSize, E embedSize, H hiddenSize; N = T * B rows, time-major (row t * B + b).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../shared/settings';
import type { Batch } from './batches';
import { gruBackward, gruForward, type GruTape, type GruWeights } from './gru';
import { Rng, Stream } from './rng';

export type Params = Record<string, tf.Tensor>;

/** Parameter names and shapes in torch's state_dict order. */
export function paramShapes(config: ModelConfig): [string, number[]][] {
  const { vocabSize: V, embedSize: E, hiddenSize: H, numLayers } = config;
  const shapes: [string, number[]][] = [['embed.weight', [V, E]]];
  for (let l = 0; l < numLayers; l++) {
    const input = l === 0 ? E : H;
    shapes.push([`gru.weight_ih_l${l}`, [3 * H, input]]);
    shapes.push([`gru.weight_hh_l${l}`, [3 * H, H]]);
    shapes.push([`gru.bias_ih_l${l}`, [3 * H]]);
    shapes.push([`gru.bias_hh_l${l}`, [3 * H]]);
  }
  shapes.push(['head.weight', [V, H]], ['head.bias', [V]]);
  return shapes;
}

export function countParams(config: ModelConfig): number {
  return paramShapes(config).reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * PyTorch's default initialisation, drawn from Folio's seeded generator (one stream per
 * parameter): embedding N(0, 1); GRU and head U(-1/sqrt(H), 1/sqrt(H)).
 */
export function initParams(config: ModelConfig, seed: number): Params {
  const bound = 1 / Math.sqrt(config.hiddenSize);
  const params: Params = {};
  paramShapes(config).forEach(([name, shape], i) => {
    const rng = Rng.at(seed, Stream.init, i);
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let k = 0; k < values.length; k++) {
      values[k] = name === 'embed.weight' ? rng.normal() : (2 * rng.next() - 1) * bound;
    }
    params[name] = tf.tensor(values, shape);
  });
  return params;
}

export function layerWeights(params: Params, layer: number): GruWeights {
  return {
    weightIh: params[`gru.weight_ih_l${layer}`] as tf.Tensor2D,
    weightHh: params[`gru.weight_hh_l${layer}`] as tf.Tensor2D,
    biasIh: params[`gru.bias_ih_l${layer}`] as tf.Tensor1D,
    biasHh: params[`gru.bias_hh_l${layer}`] as tf.Tensor1D,
  };
}

/** Inputs and next-character targets, time-major: row t * B + b is timestep t of window b. */
export interface Sequences {
  inputs: Int32Array; // [T * B]
  targets: Int32Array; // [T * B]
  batchSize: number;
  seqLen: number;
}

export function timeMajor(batch: Batch): Sequences {
  const { windows, batchSize: B, seqLen: T } = batch;
  const inputs = new Int32Array(T * B);
  const targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      inputs[t * B + b] = windows[b * (T + 1) + t]!;
      targets[t * B + b] = windows[b * (T + 1) + t + 1]!;
    }
  }
  return { inputs, targets, batchSize: B, seqLen: T };
}

/**
 * Where a training batch's dropout masks come from. The rates are the model's (dropout,
 * headDropout); the masks depend only on (seed, step, layer, window), so a resumed run
 * repeats them and a batch split between threads draws the same masks as the whole.
 */
export interface Dropout {
  seed: number;
  step: number;
  /** Index of this batch part's first window in the whole batch (0 unless split). */
  firstWindow?: number;
}

export interface LossAndGrads {
  /** Mean cross-entropy over the batch, nats per character. */
  loss: number;
  grads: Params;
}

/**
 * Forward and backward over one batch. With `dropout` (training only), the output of every
 * layer but the last is masked at config.dropout (torch.nn.GRU's dropout), and the last
 * layer's output, which feeds the head, at config.headDropout.
 */
export function lossAndGrads(
  params: Params,
  config: ModelConfig,
  seqs: Sequences,
  dropout?: Dropout,
): LossAndGrads {
  const { inputs, targets, batchSize: B, seqLen: T } = seqs;
  const { numLayers, vocabSize: V, embedSize: E, hiddenSize: H } = config;
  let loss = NaN;
  const grads = tf.tidy(() => {
    // Forward: embedding rows, then each layer over the whole sequence.
    let x = embedRows(params, inputs, E); // [N, E]
    const tapes: GruTape[] = [];
    const masks: (tf.Tensor2D | undefined)[] = [];
    for (let l = 0; l < numLayers; l++) {
      const { y, tape } = gruForward(layerWeights(params, l), x, T, B, true);
      tapes.push(tape!);
      const rate = l < numLayers - 1 ? config.dropout : config.headDropout;
      const mask = dropout && rate > 0 ? dropoutMask(rate, dropout, l, T, B, H) : undefined;
      masks.push(mask);
      x = mask ? tf.mul(y, mask) : y;
    }
    // Head and softmax cross-entropy: d loss / d logits = (softmax - onehot) / N.
    const { value, dLogits } = crossEntropy(headLogits(params, x), targets, V);
    loss = value;
    // Head weight and bias gradients in one multiply: [x^T; 1] dLogits = [dW^T; db]. On
    // wasm the right-hand operand is repacked every call (~10 ns per element), so it is
    // dLogits [N, V] rather than x [N, H].
    const head = tf.matMul(tf.concat([tf.transpose(x), tf.ones([1, x.shape[0]])], 0), dLogits);
    const out: Params = {
      'head.weight': tf.transpose(tf.slice(head, [0, 0], [H, -1])), // [V, H]
      'head.bias': tf.reshape(tf.slice(head, [H, 0], [1, -1]), [V]),
    };
    // Backward through the layers, top to bottom.
    let dy = tf.matMul(dLogits, params['head.weight']!) as tf.Tensor2D; // [N, H]
    for (let l = numLayers - 1; l >= 0; l--) {
      const mask = masks[l];
      if (mask) dy = tf.mul(dy, mask);
      const g = gruBackward(layerWeights(params, l), tapes[l]!, dy);
      out[`gru.weight_ih_l${l}`] = g.weightIh;
      out[`gru.weight_hh_l${l}`] = g.weightHh;
      out[`gru.bias_ih_l${l}`] = g.biasIh;
      out[`gru.bias_hh_l${l}`] = g.biasHh;
      dy = g.dx;
    }
    // Embedding: scatter-add rows in JS (the gradient of gather has no wasm kernel).
    out['embed.weight'] = tf.tensor2d(scatterRows(dy.dataSync(), inputs, V, E), [V, E]);
    return out;
  });
  return { loss, grads };
}

/** Mean cross-entropy of a batch without gradients (for valLoss). */
export function batchLoss(params: Params, config: ModelConfig, seqs: Sequences): number {
  const { inputs, targets } = seqs;
  return tf.tidy(() => {
    let x = embedRows(params, inputs, config.embedSize);
    for (let l = 0; l < config.numLayers; l++) {
      x = gruForward(layerWeights(params, l), x, seqs.seqLen, seqs.batchSize, false).y;
    }
    return crossEntropy(headLogits(params, x), targets, config.vocabSize).value;
  });
}

/**
 * The embedding rows of `ids`, [N, E], gathered in JS: the table is small ([V, E]) and
 * wasm's gather kernel took about 7 ms for a batch of 3,200 rows.
 */
function embedRows(params: Params, ids: Int32Array, embedSize: number): tf.Tensor2D {
  const table = params['embed.weight']!.dataSync();
  const rows = new Float32Array(ids.length * embedSize);
  for (let i = 0; i < ids.length; i++) {
    rows.set(table.subarray(ids[i]! * embedSize, (ids[i]! + 1) * embedSize), i * embedSize);
  }
  return tf.tensor2d(rows, [ids.length, embedSize]);
}

/** logits = y W_head^T + b_head, [N, V]. */
export function headLogits(params: Params, y: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(y, tf.transpose(params['head.weight']!)), params['head.bias']!);
}

function crossEntropy(logits: tf.Tensor2D, targets: Int32Array, vocabSize: number) {
  const rows = targets.length;
  const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), vocabSize); // [N, V]
  const logProbs = tf.logSoftmax(logits);
  const value = -tf.sum(tf.mul(logProbs, oneHot)).dataSync()[0]! / rows;
  const dLogits = tf.div(tf.sub(tf.exp(logProbs), oneHot), rows) as tf.Tensor2D;
  return { value, dLogits };
}

/**
 * Layer `layer`'s inverted-dropout mask, [T * B, H] time-major: 0 with probability `rate`,
 * else 1 / (1 - rate). Each window draws its own [T, H] block from (seed, step, layer, its
 * index in the whole batch), so two halves of a batch get the masks the whole would.
 */
export function dropoutMask(
  rate: number,
  dropout: Dropout,
  layer: number,
  T: number,
  B: number,
  H: number,
): tf.Tensor2D {
  const keep = 1 / (1 - rate);
  const values = new Float32Array(T * B * H);
  for (let b = 0; b < B; b++) {
    const window = (dropout.firstWindow ?? 0) + b;
    // Distinct counters for every (step, layer < 64, window < 2^16): step * 2^22 stays
    // below 2^53 for the 1e9 steps settings allow.
    const rng = Rng.at(dropout.seed, Stream.dropout, (dropout.step * 64 + layer) * 65536 + window);
    for (let t = 0; t < T; t++) {
      const row = (t * B + b) * H;
      for (let h = 0; h < H; h++) values[row + h] = rng.next() < rate ? 0 : keep;
    }
  }
  return tf.tensor2d(values, [T * B, H]);
}

function scatterRows(
  dx: Float32Array | Int32Array | Uint8Array,
  ids: Int32Array,
  rows: number,
  width: number,
) {
  const out = new Float32Array(rows * width);
  for (let i = 0; i < ids.length; i++) {
    const dst = ids[i]! * width;
    const src = i * width;
    for (let k = 0; k < width; k++) out[dst + k]! += dx[src + k]!;
  }
  return out;
}
