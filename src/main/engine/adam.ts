/**
 * Global-norm gradient clipping and Adam, written out so the optimizer state (the moments
 * and the step count) can be saved in a checkpoint and restored exactly. Same arithmetic
 * as torch.nn.utils.clip_grad_norm_ and torch.optim.Adam (no weight decay, no amsgrad).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Params } from './model';

export interface AdamState {
  /** Optimizer steps taken so far (t in the bias corrections). */
  step: number;
  expAvg: Params; // first moment m, same shapes as the params
  expAvgSq: Params; // second moment v
}

export const ADAM_BETAS = [0.9, 0.999] as const;
export const ADAM_EPS = 1e-8;

export function initAdam(params: Params): AdamState {
  const zeros = () =>
    Object.fromEntries(Object.entries(params).map(([k, p]) => [k, tf.zerosLike(p)]));
  return { step: 0, expAvg: zeros(), expAvgSq: zeros() };
}

/** L2 norm over all gradients together. */
export function globalNorm(grads: Params): number {
  return Math.sqrt(
    tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!),
  );
}

/**
 * Scales the gradients down so their global norm is at most `maxNorm` (PyTorch's rule,
 * scale = maxNorm / (norm + 1e-6), applied only when below 1), then takes one Adam step.
 * Replaces (and disposes) the tensors in `params` and `state`; `grads` are left to the caller.
 */
export function adamStep(
  params: Params,
  grads: Params,
  state: AdamState,
  lr: number,
  maxNorm: number,
  norm: number,
) {
  const [beta1, beta2] = ADAM_BETAS;
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  state.step += 1;
  const stepSize = lr / (1 - beta1 ** state.step);
  const sqrtBias2 = Math.sqrt(1 - beta2 ** state.step);
  for (const name of Object.keys(params)) {
    const [p, m, v] = tf.tidy(() => {
      const g = scale < 1 ? tf.mul(grads[name]!, scale) : grads[name]!;
      const m = tf.add(tf.mul(state.expAvg[name]!, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(state.expAvgSq[name]!, beta2), tf.mul(tf.square(g), 1 - beta2));
      const denom = tf.add(tf.div(tf.sqrt(v), sqrtBias2), ADAM_EPS);
      const p = tf.sub(params[name]!, tf.mul(tf.div(m, denom), stepSize));
      return [p, m, v];
    });
    params[name]!.dispose();
    state.expAvg[name]!.dispose();
    state.expAvgSq[name]!.dispose();
    params[name] = p!;
    state.expAvg[name] = m!;
    state.expAvgSq[name] = v!;
  }
}
