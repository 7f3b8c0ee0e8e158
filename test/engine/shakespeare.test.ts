/**
 * A short real run on tiny Shakespeare (../shared/data/tinyshakespeare.txt, not in the
 * repo): the model must learn, i.e. valLoss must fall well below the uniform baseline
 * ln(vocabSize). Skipped, saying so, when the file is absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCorpus } from '../../src/main/engine/corpus';
import { Session } from '../../src/main/engine/session';
import { train } from '../../src/main/engine/train';
import { useTestBackend } from '../helpers/backend';

const path = resolve('../shared/data/tinyshakespeare.txt');
const present = existsSync(path);
if (!present) console.warn(`skipping the tiny Shakespeare run: ${path} is absent`);

beforeAll(useTestBackend);

describe.skipIf(!present)('a short run on tiny Shakespeare', () => {
  it('learns: valLoss falls far below the uniform baseline', async () => {
    const corpus = await readCorpus(path);
    expect(corpus.vocab.size).toBe(65);
    const settings = {
      seqLen: 64,
      batchSize: 32,
      lr: 5e-3,
      lrDecay: 0,
      clip: 5,
      steps: 150,
      valFraction: 0.1,
      evalEvery: 150,
      seed: 1,
    };
    const session = Session.create(
      corpus,
      { embedSize: 32, hiddenSize: 128, numLayers: 1, dropout: 0, headDropout: 0 },
      settings,
    );
    let valLoss = Infinity;
    await train(session, corpus, {
      onEvent: (e) => (valLoss = e.type === 'eval' ? e.valLoss : valLoss),
    });
    const uniform = Math.log(corpus.vocab.size); // 4.17 nats/char
    expect(valLoss).toBeLessThan(uniform - 1.5);
    session.dispose();
  });
});
