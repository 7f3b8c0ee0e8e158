import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../src/shared/events';
import { generate } from '../../src/main/engine/generate';
import { Session } from '../../src/main/engine/session';
import { learningRate } from '../../src/main/engine/adam';
import { divergence, train } from '../../src/main/engine/train';
import { useTestBackend } from '../helpers/backend';
import { TINY_MODEL, TINY_TRAIN, tinyCorpus } from '../helpers/tiny';

beforeAll(useTestBackend);

describe('training', () => {
  it('overfits a tiny corpus to near-zero loss, reporting every step and each valLoss', async () => {
    const corpus = tinyCorpus('abcdefghij'.repeat(100));
    const session = Session.create(
      corpus,
      { ...TINY_MODEL, hiddenSize: 32 },
      { ...TINY_TRAIN, steps: 150, lr: 2e-2, valFraction: 0.1, evalEvery: 50 },
    );
    const events: TrainEvent[] = [];
    const done = await train(session, corpus, { onEvent: (e) => events.push(e) });
    expect(done).toEqual({ type: 'done', step: 150, reason: 'finished' });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(steps[0]!.trainLoss).toBeGreaterThan(2);
    expect(steps[149]!.trainLoss).toBeLessThan(0.05);
    const evals = events.filter((e) => e.type === 'eval');
    expect(evals.map((e) => e.step)).toEqual([50, 100, 150]);
    expect(evals[2]!.valLoss).toBeLessThan(0.05);
    expect(session.training.bestValLoss).toBe(Math.min(...evals.map((e) => e.valLoss)));
    session.dispose();
  });

  it('decays lr along a cosine from lr at step 1 to lr × (1 − lrDecay) at the last step', async () => {
    const run = { lr: 0.01, lrDecay: 0.9, steps: 101 };
    expect(learningRate(run, 1)).toBe(0.01);
    expect(learningRate(run, 51)).toBeCloseTo(0.0055, 12); // half-way: the mean of both ends
    expect(learningRate(run, 101)).toBeCloseTo(0.001, 12);
    for (let step = 2; step <= 101; step++)
      expect(learningRate(run, step)).toBeLessThan(learningRate(run, step - 1));
    expect(learningRate({ ...run, lrDecay: 0 }, 77)).toBe(0.01);
    expect(learningRate({ ...run, steps: 1 }, 1)).toBe(0.01);

    // The training loop uses it: each StepEvent reports the lr of its step.
    const corpus = tinyCorpus();
    const session = Session.create(corpus, TINY_MODEL, { ...TINY_TRAIN, steps: 9, lrDecay: 0.5 });
    const used: number[] = [];
    await train(session, corpus, { onEvent: (e) => e.type === 'step' && used.push(e.lr) });
    expect(used).toEqual(
      Array.from({ length: 9 }, (_, i) => learningRate(session.training.settings, i + 1)),
    );
    expect(used[8]).toBeCloseTo(TINY_TRAIN.lr / 2, 12);
    session.dispose();
  });

  it('forgets the best valLoss when the held-out text changes: another corpus or valFraction', async () => {
    const corpus = tinyCorpus();
    const session = Session.create(corpus, TINY_MODEL, { ...TINY_TRAIN, steps: 10 });
    await train(session, corpus);
    const best = session.training.bestValLoss;
    expect(best).not.toBeNull();
    session.useSettings({ ...session.training.settings, steps: 12 });
    expect(session.training.bestValLoss).toBe(best); // same split: still comparable

    const other = tinyCorpus('the mat sat on the cat. '.repeat(40), 'other.txt');
    session.useSettings({ ...session.training.settings, steps: 20 });
    session.training.bestValLoss = 0; // unbeatable, were it kept
    const evals: number[] = [];
    await train(session, other, { onEvent: (e) => e.type === 'eval' && evals.push(e.valLoss) });
    expect(session.training.bestValLoss).toBe(Math.min(...evals));

    session.useSettings({ ...session.training.settings, valFraction: 0.2 });
    expect(session.training.bestValLoss).toBeNull();
    session.dispose();
  });

  it('keeps the number of live tensors flat over steps and over 10,000 generated characters', async () => {
    const corpus = tinyCorpus();
    const session = Session.create(
      corpus,
      { ...TINY_MODEL, numLayers: 2, dropout: 0.2 },
      { ...TINY_TRAIN, steps: 5 },
    );
    await train(session, corpus);
    const before = tf.memory().numTensors;
    session.training.settings.steps = 30;
    await train(session, corpus);
    expect(tf.memory().numTensors).toBe(before);
    let count = 0;
    for await (const ch of generate(session, {
      length: 10_000,
      temperature: 1,
      topK: 0,
      topP: 1,
      prime: 'the ',
      seed: 1,
      dropUnknown: false,
    })) {
      count += ch.length > 0 ? 1 : 0;
    }
    expect(count).toBe(10_000);
    expect(tf.memory().numTensors).toBe(before);
    session.dispose();
  });

  it('stops on a diverging learning rate before applying the bad step, saying to lower it', async () => {
    const corpus = tinyCorpus();
    const session = Session.create(corpus, TINY_MODEL, { ...TINY_TRAIN, lr: 10, steps: 50 });
    const done = await train(session, corpus);
    expect(done.reason).toBe('diverged');
    expect(done.message).toMatch(/Lower the learning rate \(now 10; try 0\.003\)/);
    expect(session.training.step).toBe(done.step);
    expect(done.step).toBeLessThan(50);
    for (const p of Object.values(session.params))
      expect(p.dataSync().every(Number.isFinite)).toBe(true);
    session.dispose();
  });

  it('treats NaN, infinity and a loss far above uniform guessing as divergence, and nothing else', () => {
    expect(divergence(NaN, 1, 65)).toMatch(/NaN/);
    expect(divergence(2, Infinity, 65)).toMatch(/gradient/);
    expect(divergence(238, 1, 65)).toMatch(/jumped to 238/);
    expect(divergence(4.5, 1e3, 65)).toBeUndefined();
    expect(divergence(0.7, 1, 2)).toBeUndefined();
  });

  it('does not report success when the last step blows up the model', async () => {
    const corpus = tinyCorpus();
    const session = Session.create(corpus, TINY_MODEL, { ...TINY_TRAIN, lr: 3, steps: 1 });
    const done = await train(session, corpus);
    expect(done.reason).toBe('diverged');
    expect(done.message).toMatch(/valLoss: the loss jumped/);
    session.dispose();
  });

  it('trains on a corpus exactly seqLen + 1 characters long with no validation', async () => {
    const corpus = tinyCorpus('abcdefghijklmnopq'); // 17 = seqLen 16 + 1
    const session = Session.create(corpus, TINY_MODEL, {
      ...TINY_TRAIN,
      batchSize: 1,
      valFraction: 0,
      steps: 5,
    });
    const losses: number[] = [];
    const done = await train(session, corpus, {
      onEvent: (e) => e.type === 'step' && losses.push(e.trainLoss),
    });
    expect(done.reason).toBe('finished');
    expect(losses).toHaveLength(5);
    expect(losses[4]!).toBeLessThan(losses[0]!);
    session.dispose();
  });

  it('stops cleanly when asked, after the current step', async () => {
    const corpus = tinyCorpus();
    const session = Session.create(corpus, TINY_MODEL, { ...TINY_TRAIN, steps: 100 });
    let steps = 0;
    const done = await train(session, corpus, {
      onEvent: (e) => (steps += e.type === 'step' ? 1 : 0),
      shouldStop: () => steps >= 7,
    });
    expect(done).toEqual({ type: 'done', step: 7, reason: 'stopped' });
    session.dispose();
  });
});
