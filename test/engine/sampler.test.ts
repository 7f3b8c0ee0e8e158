import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/main/engine/rng';
import { argmax, checkSampleSettings, sample, sampleProbs } from '../../src/main/engine/sampler';

const logits = Float32Array.from([1.5, -0.5, 3.0, 2.9, 0.0, -4.0]);
const settings = (temperature: number, topK = 0, topP = 1) => ({ temperature, topK, topP });

describe('the sampler', () => {
  it('is argmax at temperature 0, and equals it without NaN at 1e-4', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 50; i++) expect(sample(logits, settings(0), rng)).toBe(2);
    const probs = sampleProbs(logits, settings(1e-4));
    expect(probs.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < 50; i++) expect(sample(logits, settings(1e-4), rng)).toBe(argmax(logits));
  });

  it('draws with softmax frequencies at temperature 1', () => {
    const rng = new Rng(42);
    const draws = 100_000;
    const counts = new Array<number>(logits.length).fill(0);
    for (let i = 0; i < draws; i++) counts[sample(logits, settings(1), rng)]!++;
    const exp = Array.from(logits, Math.exp);
    const total = exp.reduce((a, b) => a + b);
    exp.forEach((e, i) => {
      const p = e / total;
      const sd = Math.sqrt((p * (1 - p)) / draws);
      expect(Math.abs(counts[i]! / draws - p)).toBeLessThan(5 * sd + 1e-4);
    });
  });

  it('sharpens at low temperature and flattens at high temperature', () => {
    const cold = sampleProbs(logits, settings(0.5));
    const hot = sampleProbs(logits, settings(2));
    expect(cold[2]!).toBeGreaterThan(hot[2]!);
    expect(cold[5]!).toBeLessThan(hot[5]!);
  });

  it('never leaves the top k', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 5000; i++) expect([2, 3]).toContain(sample(logits, settings(5, 2), rng));
    expect(sampleProbs(logits, settings(1, 1))[2]).toBe(1);
  });

  it('keeps the smallest set reaching top-p', () => {
    const probs = sampleProbs(logits, settings(1, 0, 0.5)); // p(2) ~ 0.45 alone is not enough
    expect(Array.from(probs, (p) => p > 0)).toEqual([false, false, true, true, false, false]);
    expect(probs.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  it('repeats its draws for the same seed', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 200 },
        (
          (rng) => () =>
            sample(logits, settings(1), rng)
        )(new Rng(seed)),
      );
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
  });

  it.each([
    [settings(-1), 'Temperature'],
    [settings(NaN), 'Temperature'],
    [settings(1, -1), 'Top-k'],
    [settings(1, 1.5), 'Top-k'],
    [settings(1, 0, 0), 'Top-p'],
    [settings(1, 0, 1.2), 'Top-p'],
  ])('rejects %o naming the field', (bad, field) => {
    const problems = checkSampleSettings(bad);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(field);
  });
});
