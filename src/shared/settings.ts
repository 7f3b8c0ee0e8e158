/**
 * Every setting a user can change, with its valid range and default, in one table.
 *
 * The CLI's flags, the app's form and the engine's checks all read this table, so a
 * field is named, bounded and explained the same way everywhere. Validation returns
 * messages that name the field and its range; it never throws.
 */

/** The shape of the network; fixed once a model is created. */
export interface ModelConfig {
  vocabSize: number;
  embedSize: number;
  hiddenSize: number;
  numLayers: number;
  /** Dropout on the outputs of every GRU layer but the last (as in torch.nn.GRU). */
  dropout: number;
  /**
   * Dropout on the last GRU layer's output, where it enters the head (an nn.Dropout
   * between nn.GRU and nn.Linear in PyTorch terms). Training only; no weights of its own.
   */
  headDropout: number;
}

/** How a run trains; may change between runs of the same model. */
export interface TrainSettings {
  seqLen: number;
  batchSize: number;
  lr: number;
  /**
   * How far lr falls over the run, along a cosine: step 1 uses lr, the last step
   * lr × (1 − lrDecay). 0 keeps lr constant.
   */
  lrDecay: number;
  /** Global L2 norm the gradients are clipped to. */
  clip: number;
  /** Total optimizer steps of the run (counting steps already taken when resuming). */
  steps: number;
  /** Fraction of the corpus, taken from its end, held out for valLoss. */
  valFraction: number;
  /** Steps between valLoss evaluations (and periodic checkpoint saves). */
  evalEvery: number;
  seed: number;
}

export type SettingName = Exclude<keyof ModelConfig, 'vocabSize'> | keyof TrainSettings;

/** The settings that shape a model, then those of a run, in the order forms list them. */
export const MODEL_FIELDS = [
  'embedSize',
  'hiddenSize',
  'numLayers',
  'dropout',
  'headDropout',
] as const;
export const TRAIN_FIELDS = [
  'seqLen',
  'batchSize',
  'lr',
  'lrDecay',
  'clip',
  'steps',
  'valFraction',
  'evalEvery',
  'seed',
] as const;

export interface SettingSpec {
  flag: string;
  label: string;
  min: number;
  max: number;
  integer: boolean;
  /** True when `min` itself is not allowed (e.g. lr > 0). */
  minExclusive?: boolean;
  /** True when `max` itself is not allowed (e.g. dropout < 1). */
  maxExclusive?: boolean;
  help: string;
}

export const SETTINGS: Record<SettingName, SettingSpec> = {
  embedSize: {
    flag: '--embed-size',
    label: 'Embedding size',
    min: 1,
    max: 4096,
    integer: true,
    help: 'width of each character vector',
  },
  hiddenSize: {
    flag: '--hidden-size',
    label: 'Hidden size',
    min: 1,
    max: 4096,
    integer: true,
    help: 'units in each GRU layer',
  },
  numLayers: {
    flag: '--num-layers',
    label: 'Layers',
    min: 1,
    max: 8,
    integer: true,
    help: 'stacked GRU layers',
  },
  dropout: {
    flag: '--dropout',
    label: 'Dropout',
    min: 0,
    max: 1,
    maxExclusive: true,
    integer: false,
    help: 'dropout between GRU layers (no effect with one layer)',
  },
  headDropout: {
    flag: '--head-dropout',
    label: 'Head dropout',
    min: 0,
    max: 1,
    maxExclusive: true,
    integer: false,
    help: "dropout on the last GRU layer's output, before the head",
  },
  seqLen: {
    flag: '--seq-len',
    label: 'Sequence length',
    min: 1,
    max: 10000,
    integer: true,
    help: 'characters back-propagated through per window',
  },
  batchSize: {
    flag: '--batch-size',
    label: 'Batch size',
    min: 1,
    max: 4096,
    integer: true,
    help: 'windows per step',
  },
  lr: {
    flag: '--lr',
    label: 'Learning rate',
    min: 0,
    max: 100,
    minExclusive: true,
    integer: false,
    help: "Adam's step size",
  },
  lrDecay: {
    flag: '--lr-decay',
    label: 'Learning-rate decay',
    min: 0,
    max: 1,
    integer: false,
    help: 'lr falls along a cosine to lr × (1 − this) at the last step; 0 keeps it constant',
  },
  clip: {
    flag: '--clip',
    label: 'Gradient clip',
    min: 0,
    max: 1e6,
    minExclusive: true,
    integer: false,
    help: 'global gradient norm limit',
  },
  steps: {
    flag: '--steps',
    label: 'Steps',
    min: 1,
    max: 1e9,
    integer: true,
    help: 'total optimizer steps',
  },
  valFraction: {
    flag: '--val-fraction',
    label: 'Validation fraction',
    min: 0,
    max: 0.9,
    integer: false,
    help: 'share of the corpus (from its end) held out for valLoss',
  },
  evalEvery: {
    flag: '--eval-every',
    label: 'Evaluate every',
    min: 1,
    max: 1e9,
    integer: true,
    help: 'steps between valLoss evaluations and autosaves',
  },
  seed: {
    flag: '--seed',
    label: 'Seed',
    min: 0,
    max: 2 ** 32 - 1,
    integer: true,
    help: 'makes initial weights, batches and dropout repeatable',
  },
};

/**
 * Defaults that learn tiny Shakespeare to a valLoss under 1.50 nats/char in about 11
 * minutes, and the whole run in under 15, on two CPU cores with WebAssembly
 * (docs/performance.md has the measured curve and the runs that chose these values).
 */
export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = {
  embedSize: 64,
  hiddenSize: 384,
  numLayers: 1,
  dropout: 0,
  headDropout: 0,
};

export const DEFAULT_TRAIN: TrainSettings = {
  seqLen: 100,
  batchSize: 32,
  lr: 3e-3,
  lrDecay: 0.9,
  clip: 5,
  steps: 2400,
  valFraction: 0.1,
  evalEvery: 200,
  seed: 1,
};

/** "Hidden size must be an integer from 1 to 4096 (--hidden-size), got 0." */
export function checkSetting(name: SettingName, value: number): string | undefined {
  const spec = SETTINGS[name];
  const low = spec.minExclusive ? `greater than ${spec.min}` : `from ${spec.min}`;
  const high = spec.maxExclusive ? `to below ${spec.max}` : `to ${spec.max}`;
  const range = `${spec.integer ? 'an integer' : 'a number'} ${low} ${high}`;
  const bad =
    !Number.isFinite(value) ||
    (spec.integer && !Number.isInteger(value)) ||
    value < spec.min ||
    value > spec.max ||
    (spec.minExclusive === true && value === spec.min) ||
    (spec.maxExclusive === true && value === spec.max);
  return bad ? `${spec.label} must be ${range} (${spec.flag}), got ${value}.` : undefined;
}

/** All problems with a set of settings, one message each; empty when all are valid. */
export function checkSettings(values: Partial<Record<SettingName, number>>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values) as [SettingName, number][]) {
    const problem = checkSetting(name, value);
    if (problem) problems.push(problem);
  }
  return problems;
}
