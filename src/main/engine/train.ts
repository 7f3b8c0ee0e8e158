/**
 * The training loop: batches -> forward/backward -> clip -> Adam, a progress event per
 * step, valLoss every evalEvery steps. It yields to the event loop after every step, so a
 * stop request (Ctrl-C, the app's Stop button) is seen within one step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DoneEvent, TrainEvent } from '../../shared/events';
import { adamStep, globalNorm, learningRate } from './adam';
import { checkSplitFits, splitCorpus, TrainBatches, valBatches } from './batches';
import type { Corpus } from './corpus';
import { batchLoss, countParams, lossAndGrads, timeMajor, type Sequences } from './model';
import { GradHelper, wantsHelper } from './parallel';
import type { Session } from './session';

export interface TrainHooks {
  onEvent?: (event: TrainEvent) => void;
  /** Polled after every step; true ends the run cleanly after that step. */
  shouldStop?: () => boolean;
  /** Awaited every evalEvery steps and at the end (after valLoss, if any): autosave here. */
  afterEval?: () => Promise<void>;
  backend?: string;
}

/** Trains `session` on `corpus` up to session.training.settings.steps. */
export async function train(
  session: Session,
  corpus: Corpus,
  hooks: TrainHooks = {},
): Promise<DoneEvent> {
  const settings = session.training.settings;
  const { batchSize, seqLen, valFraction, seed } = settings;
  const emit = hooks.onEvent ?? (() => undefined);
  const split = splitCorpus(session.encodeCorpus(corpus), valFraction);
  checkSplitFits(split, batchSize, seqLen, valFraction);
  const batches = new TrainBatches(split.train, batchSize, seqLen, seed);
  const val: Sequences[] =
    valFraction > 0 ? valBatches(split.val, batchSize, seqLen).map(timeMajor) : [];

  emit({
    type: 'start',
    step: session.training.step,
    totalSteps: settings.steps,
    stepsPerEpoch: batches.stepsPerEpoch,
    backend: hooks.backend ?? tf.getBackend(),
    paramCount: countParams(session.config),
    vocabSize: session.config.vocabSize,
    trainChars: split.train.length,
    valChars: split.val.length,
  });

  // A second core computes half of every batch where the backend uses only one.
  const backend = tf.getBackend();
  const work = batchSize * seqLen * session.config.hiddenSize;
  const helper = wantsHelper(backend, work)
    ? await GradHelper.start(backend === 'cpu' ? 'cpu' : 'wasm')
    : undefined;
  try {
    return await loop(session, batches, val, emit, hooks, helper);
  } finally {
    await helper?.close();
  }
}

async function loop(
  session: Session,
  batches: TrainBatches,
  val: Sequences[],
  emit: (event: TrainEvent) => void,
  hooks: TrainHooks,
  helper: GradHelper | undefined,
): Promise<DoneEvent> {
  const settings = session.training.settings;
  const { batchSize, seqLen, seed } = settings;
  let stepSec = 0; // smoothed seconds per step
  // Wall time, evaluations and saves included, added to what earlier runs spent.
  const runStart = performance.now();
  const earlierSec = session.training.elapsedSec;
  const firstStep = session.training.step + 1;
  for (let step = firstStep; step <= settings.steps; step++) {
    const started = performance.now();
    const seqs = timeMajor(batches.batch(step));
    const masks = { seed, step };
    const { loss, grads } = helper
      ? await helper.lossAndGrads(session.params, session.config, seqs, masks)
      : lossAndGrads(session.params, session.config, seqs, masks);
    const norm = globalNorm(grads);
    const problem = divergence(loss, norm, session.config.vocabSize);
    if (problem) {
      tf.dispose(Object.values(grads));
      return finish(emit, diverged(step, settings.lr, problem));
    }
    const lr = learningRate(settings, step);
    adamStep(session.params, grads, session.adam, lr, settings.clip, norm);
    tf.dispose(Object.values(grads));

    const seconds = (performance.now() - started) / 1000;
    // The first steps are slow (compilation, the worker's start): they only seed the
    // average, so the ETA is not inflated for the first minute of a run.
    const warm = step - firstStep >= 3;
    stepSec = stepSec === 0 || !warm ? seconds : 0.9 * stepSec + 0.1 * seconds;
    const t = session.training;
    t.step = step;
    t.elapsedSec = earlierSec + (performance.now() - runStart) / 1000;
    t.trainLoss.push([step, round(loss)]);
    emit({
      type: 'step',
      step,
      totalSteps: settings.steps,
      epoch: step / batches.stepsPerEpoch,
      trainLoss: loss,
      lr,
      charsPerSec: (batchSize * seqLen) / stepSec,
      etaSec: (settings.steps - step) * stepSec,
      elapsedSec: t.elapsedSec,
    });

    if (step % settings.evalEvery === 0 || step === settings.steps) {
      if (val.length > 0) {
        const valLoss = helper
          ? await helper.meanLoss(session.params, session.config, val)
          : val.reduce((sum, b) => sum + batchLoss(session.params, session.config, b), 0) /
            val.length;
        // The last update can blow up after its trainLoss was checked: judge valLoss too.
        const problem = divergence(valLoss, 0, session.config.vocabSize);
        if (problem) return finish(emit, diverged(step, settings.lr, `valLoss: ${problem}`));
        t.valLoss.push([step, round(valLoss)]);
        t.bestValLoss = Math.min(t.bestValLoss ?? Infinity, valLoss);
        emit({ type: 'eval', step, valLoss, bestValLoss: t.bestValLoss });
      }
      await hooks.afterEval?.();
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (hooks.shouldStop?.() && step < settings.steps)
      return finish(emit, { type: 'done', step, reason: 'stopped' });
  }
  return finish(emit, { type: 'done', step: session.training.step, reason: 'finished' });
}

/**
 * Why this step's numbers mean the run has diverged, or undefined. Besides NaN and
 * infinity, a loss far above ln(vocabSize) (what guessing uniformly scores) counts: the
 * log-softmax keeps a wildly diverged loss finite, so NaN alone would never stop it.
 */
export function divergence(loss: number, gradNorm: number, vocabSize: number): string | undefined {
  if (!Number.isFinite(loss)) return `the loss became ${loss}`;
  if (!Number.isFinite(gradNorm)) return `the gradient became ${gradNorm}`;
  const uniform = Math.log(vocabSize);
  const limit = Math.max(3 * uniform, uniform + 5);
  if (loss > limit) {
    const jump = `the loss jumped to ${loss.toFixed(2)} nats/char`;
    return `${jump}, far above the ${uniform.toFixed(2)} of guessing uniformly`;
  }
  return undefined;
}

function diverged(step: number, lr: number, problem: string): DoneEvent {
  const suggestion = Number(Math.min(lr / 10, 3e-3).toPrecision(2));
  return {
    type: 'done',
    step: step - 1,
    reason: 'diverged',
    message:
      `Training stopped at step ${step}: ${problem}, so the model diverged. Lower the learning ` +
      `rate (now ${lr}; try ${suggestion}) or the gradient clip. Nothing was saved ` +
      `from this step on; the last saved checkpoint is intact.`,
  };
}

function finish(emit: (event: TrainEvent) => void, done: DoneEvent): DoneEvent {
  emit(done);
  return done;
}

/** Losses in the history keep 5 decimals: enough for any chart, a third of the JSON. */
function round(loss: number): number {
  return Math.round(loss * 1e5) / 1e5;
}
