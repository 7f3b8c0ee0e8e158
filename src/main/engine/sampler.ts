/**
 * Drawing the next character from logits: softmax(logits / temperature), optionally cut to
 * the top k symbols and to the smallest set whose probability reaches top-p, then one
 * multinomial draw. Temperature 0 is argmax (computed directly, no division by zero).
 */
import type { Rng } from './rng';

export interface SampleSettings {
  /** 0 is greedy (argmax); 0.01-1 is the useful range; up to 100 accepted. */
  temperature: number;
  /** Keep only the k most likely symbols; 0 keeps all. */
  topK: number;
  /** Keep the smallest set of most likely symbols whose total probability is >= topP; 1 keeps all. */
  topP: number;
}

export const DEFAULT_SAMPLE: SampleSettings = { temperature: 0.8, topK: 0, topP: 1 };

/** Messages naming each invalid field and its range; empty when all are valid. */
export function checkSampleSettings(s: SampleSettings): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(s.temperature) || s.temperature < 0 || s.temperature > 100) {
    problems.push(
      `Temperature must be a number from 0 (greedy) to 100 (--temperature), got ${s.temperature}.`,
    );
  }
  if (!Number.isInteger(s.topK) || s.topK < 0) {
    problems.push(`Top-k must be a whole number, 0 for no limit (--top-k), got ${s.topK}.`);
  }
  if (!Number.isFinite(s.topP) || s.topP <= 0 || s.topP > 1) {
    problems.push(
      `Top-p must be greater than 0 and at most 1, where 1 keeps all (--top-p), got ${s.topP}.`,
    );
  }
  return problems;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The distribution the sampler draws from: softmax(logits / temperature) after the top-k
 * and top-p cuts, as probabilities summing to 1. Exposed so tests can compare frequencies.
 */
export function sampleProbs(logits: ArrayLike<number>, s: SampleSettings): Float64Array {
  const size = logits.length;
  const probs = new Float64Array(size);
  if (s.temperature === 0) {
    probs[argmax(logits)] = 1;
    return probs;
  }
  // Subtracting the max first keeps exp() in range even at temperature 1e-4:
  // every exponent is <= 0 and the largest is exactly 0.
  const max = logits[argmax(logits)]!;
  let total = 0;
  for (let i = 0; i < size; i++) total += probs[i] = Math.exp((logits[i]! - max) / s.temperature);
  if (s.topK > 0 && s.topK < size) {
    const order = byProbability(probs);
    for (let rank = s.topK; rank < size; rank++) {
      total -= probs[order[rank]!]!;
      probs[order[rank]!] = 0;
    }
  }
  if (s.topP < 1) {
    const order = byProbability(probs);
    let kept = 0;
    let rank = 0;
    while (rank < size && kept < s.topP * total) kept += probs[order[rank++]!]!;
    for (; rank < size; rank++) probs[order[rank]!] = 0;
    total = kept;
  }
  for (let i = 0; i < size; i++) probs[i]! /= total;
  return probs;
}

/** One draw from sampleProbs(logits, s). */
export function sample(logits: ArrayLike<number>, s: SampleSettings, rng: Rng): number {
  if (s.temperature === 0) return argmax(logits);
  const probs = sampleProbs(logits, s);
  let u = rng.next();
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i]! === 0) continue;
    last = i;
    u -= probs[i]!;
    if (u < 0) return i;
  }
  return last; // rounding left u a hair above 0: take the last possible symbol
}

/** Indices sorted by probability, largest first (ties by index, so results are repeatable). */
function byProbability(probs: Float64Array): number[] {
  return Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
}
