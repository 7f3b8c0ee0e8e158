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

/**
 * The learning rate for optimizer step `step` (1-based) of a run of `steps`: a cosine from
 * lr at step 1 down to lr × (1 − lrDecay) at the last step. A function of the step alone,
 * so a resumed run takes the same steps as an uninterrupted one; raising `steps` on resume
 * stretches the curve, which lifts lr again for the steps that remain.
 */
export function learningRate(
  settings: { lr: number; lrDecay: number; steps: number },
  step: number,
): number {
  const { lr, lrDecay, steps } = settings;
  const progress = steps > 1 ? Math.min(1, Math.max(0, (step - 1) / (steps - 1))) : 0;
  return lr * (1 - (lrDecay * (1 - Math.cos(Math.PI * progress))) / 2);
}
