import { describe, expect, it } from 'vitest';
import {
  checkSplitFits,
  splitCorpus,
  TrainBatches,
  valBatches,
} from '../../src/main/engine/batches';
import { FolioError } from '../../src/main/engine/errors';

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('splitting and batching', () => {
  it('holds validation out as one contiguous block at the end', () => {
    const { train, val } = splitCorpus(range(1000), 0.1);
    expect(train.length).toBe(900);
    expect(val[0]).toBe(900);
    expect(val[val.length - 1]).toBe(999);
  });

  it('never lets a training window reach into the validation block', () => {
    const { train } = splitCorpus(range(5000), 0.2);
    const batches = new TrainBatches(train, 4, 30, 7);
    for (let step = 1; step <= 3 * batches.stepsPerEpoch; step++) {
      const { windows } = batches.batch(step);
      expect(Math.max(...windows)).toBeLessThan(4000);
      for (let b = 0; b < 4; b++) {
        const w = windows.subarray(b * 31, b * 31 + 31); // consecutive characters, input + target
        expect(w[30]! - w[0]!).toBe(30);
      }
    }
  });

  it('serves each window of an epoch once, in an order fixed by seed and step', () => {
    const train = range(3001);
    const batches = new TrainBatches(train, 5, 10, 3);
    const starts = new Set<number>();
    for (let step = 1; step <= batches.stepsPerEpoch; step++) {
      const { windows } = batches.batch(step);
      for (let b = 0; b < 5; b++) starts.add(windows[b * 11]!);
    }
    expect(starts.size).toBe(batches.stepsPerEpoch * 5);
    const again = new TrainBatches(train, 5, 10, 3);
    expect(again.batch(17).windows).toEqual(batches.batch(17).windows);
    expect(new TrainBatches(train, 5, 10, 4).batch(17).windows).not.toEqual(
      batches.batch(17).windows,
    );
  });

  it('refuses a 1 KB corpus at seqLen 100, batch 64, valFraction 0.15, naming settings that fit', () => {
    const split = splitCorpus(range(1024), 0.15);
    let message = '';
    try {
      checkSplitFits(split, 64, 100, 0.15);
    } catch (err) {
      expect(err).toBeInstanceOf(FolioError);
      message = (err as Error).message;
    }
    expect(message).toContain('training split holds 870 characters');
    expect(message).toContain('--batch-size 8 (with --seq-len 100)');
    expect(message).toContain('--seq-len 13 (with --batch-size 64)');
    // ...and the settings it names do fit the training split.
    expect(() => checkSplitFits(split, 8, 100, 0)).not.toThrow();
    expect(() => checkSplitFits(split, 64, 13, 0)).not.toThrow();
  });

  it('trains on a corpus of exactly seqLen + 1 characters with no validation, in full-length windows', () => {
    const split = splitCorpus(range(51), 0);
    expect(() => checkSplitFits(split, 1, 50, 0)).not.toThrow();
    const batches = new TrainBatches(split.train, 1, 50, 1);
    expect(batches.stepsPerEpoch).toBe(1);
    expect(Array.from(batches.batch(5).windows)).toEqual(Array.from(range(51)));
  });

  it('cuts validation into full batches of consecutive windows', () => {
    const batches = valBatches(range(1001), 3, 10);
    expect(batches.length).toBe(33); // 100 windows -> 33 full batches of 3
    expect(Array.from(batches[1]!.windows.subarray(0, 11))).toEqual(
      Array.from(range(41).subarray(30)),
    );
  });
});
