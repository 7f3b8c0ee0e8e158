/** Loss of a model over a whole text, for `folio eval` and the app's checkpoint view. */
import { batchLoss, timeMajor, type Params } from './model';
import type { ModelConfig } from '../../shared/settings';

/**
 * Mean cross-entropy (nats/char) over all non-overlapping windows of seqLen + 1 in `ids`,
 * each started from a zero hidden state as in training; the last batch may be smaller.
 */
export async function evaluateLoss(
  params: Params,
  config: ModelConfig,
  ids: Int32Array,
  seqLen: number,
  batchSize: number,
): Promise<{ loss: number; chars: number }> {
  const windows = Math.floor((ids.length - 1) / seqLen);
  let total = 0;
  for (let first = 0; first < windows; first += batchSize) {
    const count = Math.min(batchSize, windows - first);
    const data = new Int32Array(count * (seqLen + 1));
    for (let b = 0; b < count; b++) {
      const start = (first + b) * seqLen;
      data.set(ids.subarray(start, start + seqLen + 1), b * (seqLen + 1));
    }
    total +=
      batchLoss(params, config, timeMajor({ windows: data, batchSize: count, seqLen })) * count;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { loss: total / windows, chars: windows * seqLen };
}
