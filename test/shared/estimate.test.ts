import { describe, expect, it } from 'vitest';
import { BACKEND_FLOPS, flopsPerChar, trainingMemoryBytes } from '../../src/shared/estimate';
import { DEFAULT_MODEL, DEFAULT_TRAIN } from '../../src/shared/settings';

// Figures measured on the project's 2-core machine (docs/performance.md, a tester's
// /usr/bin/time -v runs): the estimates must stay within a third of them.
const shakespeare = { ...DEFAULT_MODEL, vocabSize: 65 };
const large = {
  model: { ...shakespeare, embedSize: 128, hiddenSize: 512, numLayers: 2, dropout: 0.2 },
  settings: { ...DEFAULT_TRAIN, batchSize: 64, seqLen: 128 },
};

describe('the settings form estimates', () => {
  it('put the training process near its measured peak memory', () => {
    const near = (estimate: number, measured: number) =>
      expect(Math.abs(estimate / measured - 1)).toBeLessThan(1 / 3);
    near(trainingMemoryBytes(shakespeare, DEFAULT_TRAIN), 477e6);
    near(trainingMemoryBytes(large.model, large.settings), 1.33e9);
    const tiny = { ...shakespeare, embedSize: 8, hiddenSize: 16 };
    near(trainingMemoryBytes(tiny, { ...DEFAULT_TRAIN, batchSize: 4, seqLen: 16 }), 147e6);
  });

  it('guess WebAssembly speed near what the default preset measured', () => {
    const charsPerSec = BACKEND_FLOPS['wasm']! / flopsPerChar(shakespeare);
    expect(charsPerSec).toBeGreaterThan(9_900 * 0.75);
    expect(charsPerSec).toBeLessThan(9_900 * 1.33);
  });
});
