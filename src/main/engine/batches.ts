/**
 * Windows of text for training and validation.
 *
 * The corpus is split once: training is the first (1 - valFraction) of the characters,
 * validation the contiguous rest, so no validation character is ever a training input or
 * target. Each epoch cuts the training part into non-overlapping windows of seqLen + 1
 * characters (input plus the next-character target) from a random offset, shuffles them,
 * and serves them batchSize at a time. The order depends only on (seed, epoch), so step N
 * of a resumed run gets the same batch as step N of an uninterrupted one.
 */
import { FolioError } from './errors';
import { Rng, Stream } from './rng';

export interface Split {
  train: Int32Array;
  val: Int32Array;
}

export function splitCorpus(ids: Int32Array, valFraction: number): Split {
  const valLen = Math.round(ids.length * valFraction);
  return { train: ids.subarray(0, ids.length - valLen), val: ids.subarray(ids.length - valLen) };
}

/** One batch: windows [batchSize, seqLen + 1], row-major. Row b is window b. */
export interface Batch {
  windows: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** Characters one batch of non-overlapping windows needs. */
export function charsPerBatch(batchSize: number, seqLen: number): number {
  return batchSize * seqLen + 1;
}

/**
 * Refuses settings under which a split cannot fill one batch, naming the largest
 * batchSize or seqLen that would fit and the other settings to change.
 */
export function checkSplitFits(
  split: Split,
  batchSize: number,
  seqLen: number,
  valFraction: number,
): void {
  const need = charsPerBatch(batchSize, seqLen);
  const parts: [string, number][] = [['training', split.train.length]];
  if (valFraction > 0) parts.push(['validation', split.val.length]);
  for (const [part, have] of parts) {
    if (have >= need) continue;
    const maxBatch = Math.floor((have - 1) / seqLen);
    const maxSeqLen = Math.floor((have - 1) / batchSize);
    const options: string[] = [];
    if (maxBatch >= 1) options.push(`--batch-size ${maxBatch} (with --seq-len ${seqLen})`);
    if (maxSeqLen >= 1) options.push(`--seq-len ${maxSeqLen} (with --batch-size ${batchSize})`);
    if (part === 'validation') options.push('a larger --val-fraction, or 0 to skip validation');
    options.push('a longer corpus');
    throw new FolioError(
      `The ${part} split holds ${have} characters, but one batch of ${batchSize} windows of ` +
        `${seqLen}+1 needs ${need}. Largest settings that fit: ${options.join('; or ')}.`,
      'invalid-setting',
    );
  }
}

export class TrainBatches {
  readonly windowsPerEpoch: number;
  readonly stepsPerEpoch: number;
  /** Spare characters at the end, so each epoch can start the windows a little later. */
  private readonly slack: number;
  private cached: { epoch: number; offset: number; order: Int32Array } | undefined;

  constructor(
    private readonly train: Int32Array,
    readonly batchSize: number,
    readonly seqLen: number,
    private readonly seed: number,
  ) {
    this.windowsPerEpoch = Math.floor((train.length - 1) / seqLen);
    this.stepsPerEpoch = Math.floor(this.windowsPerEpoch / batchSize);
    this.slack = Math.min(seqLen - 1, train.length - 1 - this.windowsPerEpoch * seqLen);
    if (this.stepsPerEpoch < 1)
      throw new Error('split too small for one batch; checkSplitFits first');
  }

  /** 0-based epoch that 1-based `step` belongs to. */
  epochOf(step: number): number {
    return Math.floor((step - 1) / this.stepsPerEpoch);
  }

  batch(step: number): Batch {
    const epoch = this.epochOf(step);
    const { offset, order } = this.epochOrder(epoch);
    const first = ((step - 1) % this.stepsPerEpoch) * this.batchSize;
    const width = this.seqLen + 1;
    const windows = new Int32Array(this.batchSize * width);
    for (let b = 0; b < this.batchSize; b++) {
      const start = offset + order[first + b]! * this.seqLen;
      windows.set(this.train.subarray(start, start + width), b * width);
    }
    return { windows, batchSize: this.batchSize, seqLen: this.seqLen };
  }

  private epochOrder(epoch: number): { offset: number; order: Int32Array } {
    if (this.cached?.epoch !== epoch) {
      const rng = Rng.at(this.seed, Stream.epochOrder, epoch);
      const offset = rng.int(this.slack + 1);
      const order = Int32Array.from({ length: this.windowsPerEpoch }, (_, i) => i);
      rng.shuffle(order);
      this.cached = { epoch, offset, order };
    }
    return this.cached;
  }
}

/**
 * The validation split as full batches of non-overlapping windows, in order, at most
 * `maxBatches` of them (an evaluation should cost seconds, not minutes, on a huge corpus).
 */
export function valBatches(
  val: Int32Array,
  batchSize: number,
  seqLen: number,
  maxBatches = 64,
): Batch[] {
  const width = seqLen + 1;
  const windows = Math.floor((val.length - 1) / seqLen);
  const count = Math.min(maxBatches, Math.floor(windows / batchSize));
  const batches: Batch[] = [];
  for (let k = 0; k < count; k++) {
    const data = new Int32Array(batchSize * width);
    for (let b = 0; b < batchSize; b++) {
      const start = (k * batchSize + b) * seqLen;
      data.set(val.subarray(start, start + width), b * width);
    }
    batches.push({ windows: data, batchSize, seqLen });
  }
  return batches;
}
