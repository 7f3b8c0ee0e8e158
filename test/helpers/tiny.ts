/** Small corpora and settings that train in a second or two, for engine and CLI tests. */
import { corpusFromBytes, type Corpus } from '../../src/main/engine/corpus';
import type { ModelConfig, TrainSettings } from '../../src/shared/settings';

export function tinyCorpus(
  text = 'the cat sat on the mat. '.repeat(40),
  name = 'tiny.txt',
): Corpus {
  return corpusFromBytes(new TextEncoder().encode(text), name);
}

export const TINY_MODEL: Omit<ModelConfig, 'vocabSize'> = {
  embedSize: 8,
  hiddenSize: 24,
  numLayers: 1,
  dropout: 0,
  headDropout: 0,
};

export const TINY_TRAIN: TrainSettings = {
  seqLen: 16,
  batchSize: 4,
  lr: 1e-2,
  lrDecay: 0,
  clip: 5,
  steps: 20,
  valFraction: 0.1,
  evalEvery: 10,
  seed: 3,
};
