/**
 * Progress of a training run as a tagged union. The same objects feed the CLI's progress
 * lines, the app's loss chart and the logs, so each field is named once (see "Words used
 * throughout" in README.md). Losses are mean cross-entropy in nats per character.
 */

export interface StartEvent {
  type: 'start';
  /** Step the run starts after (0 for a new model, N when resuming). */
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  backend: string;
  paramCount: number;
  vocabSize: number;
  trainChars: number;
  valChars: number;
}

export interface StepEvent {
  type: 'step';
  step: number;
  totalSteps: number;
  /** Fractional epoch: 2.5 is half-way through the third pass over the training split. */
  epoch: number;
  trainLoss: number;
  /** The learning rate this step used (see lrDecay). */
  lr: number;
  /** Training characters (batchSize * seqLen per step) per second, smoothed. */
  charsPerSec: number;
  /** Estimated seconds to the last step, from the smoothed step time. */
  etaSec: number;
  elapsedSec: number;
}

export interface EvalEvent {
  type: 'eval';
  step: number;
  valLoss: number;
  bestValLoss: number;
}

export interface DoneEvent {
  type: 'done';
  step: number;
  /** 'diverged': the loss became NaN, infinite, or far worse than guessing; see message. */
  reason: 'finished' | 'stopped' | 'diverged';
  /** What went wrong and what to do, for 'diverged'. */
  message?: string;
}

export type TrainEvent = StartEvent | StepEvent | EvalEvent | DoneEvent;
