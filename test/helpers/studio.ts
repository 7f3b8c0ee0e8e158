/** Small corpora, tiny models and a trainer to drive, for tests of the app's plumbing. */
import { TrainerClient } from '../../src/main/trainer/client';
import { inProcessTransport } from '../../src/main/trainer/transports';
import type { StudioEvent } from '../../src/shared/contract';
import { TINY_SHAKESPEARE } from '../../src/main/trainer/builtin-corpus';

/** About 6 KB of varied, repetitive text: enough for a few batches and a valLoss. */
export function smallCorpusText(): string {
  const lines = [
    'the quick brown fox jumps over the lazy dog.',
    'a stitch in time saves nine, said the tailor.',
    'to be or not to be, that is the question.',
    'all that glitters is not gold; all who wander are not lost.',
  ];
  return Array.from({ length: 40 }, (_, i) => lines[i % lines.length]).join('\n') + '\n';
}

export const TINY_MODEL = {
  embedSize: 8,
  hiddenSize: 16,
  numLayers: 1,
  dropout: 0,
  headDropout: 0,
};
export const TINY_TRAIN = {
  seqLen: 16,
  batchSize: 4,
  lr: 3e-3,
  lrDecay: 0,
  clip: 5,
  steps: 6,
  valFraction: 0.1,
  evalEvery: 3,
  seed: 1,
};

export const GREEDY = {
  length: 40,
  temperature: 0,
  topK: 0,
  topP: 1,
  prime: 'the ',
  seed: 1,
  dropUnknown: false,
};

/** A trainer in this process whose built-in corpus URL points at `corpusUrl` (never online). */
export function inProcessTrainer(opts: { dataDir?: string; corpusUrl?: string } = {}) {
  const events: StudioEvent[] = [];
  const client = new TrainerClient(() =>
    inProcessTransport({
      dataDir: opts.dataDir,
      builtinCorpus: {
        ...TINY_SHAKESPEARE,
        url: opts.corpusUrl ?? 'http://127.0.0.1:0/not-used-by-this-test',
      },
      backend: (process.env.FOLIO_TEST_BACKEND as 'auto' | undefined) ?? 'auto',
    }),
  );
  client.onEvent((event) => events.push(event));
  return { client, events };
}

/** Resolves with the first event that `match` accepts (or rejects after `ms`). */
export function nextEvent(
  client: TrainerClient,
  match: (event: StudioEvent) => boolean,
  ms = 60_000,
): Promise<StudioEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Timed out waiting for an event')), ms);
    const off = client.onEvent((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}
