/**
 * Text generation: feed the prime through the network, then repeatedly turn the last
 * state into logits, draw a character and feed it back. Streams characters as they come.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../shared/settings';
import { FolioError } from './errors';
import { gruCell } from './gru';
import type { Params } from './model';
import { Rng, Stream } from './rng';
import { checkSampleSettings, sample, type SampleSettings } from './sampler';
import { unknownCharsError, type Vocabulary } from './vocab';

export interface GenerateOptions extends SampleSettings {
  /** New characters to produce (the prime is not counted). */
  length: number;
  /** Text the output continues; empty starts after a newline (or the first symbol). */
  prime: string;
  seed: number;
  /** Skip prime characters the vocabulary lacks instead of refusing. */
  dropUnknown: boolean;
}

export const MAX_LENGTH = 1_000_000;

export interface Model {
  config: ModelConfig;
  vocab: Vocabulary;
  params: Params;
}

export function checkGenerateOptions(opts: GenerateOptions): string[] {
  const problems = checkSampleSettings(opts);
  if (!Number.isInteger(opts.length) || opts.length < 1 || opts.length > MAX_LENGTH) {
    problems.push(
      `Length must be a whole number from 1 to ${MAX_LENGTH} (--length), got ${opts.length}.`,
    );
  }
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed >= 2 ** 32) {
    problems.push(
      `Seed must be a whole number from 0 to ${2 ** 32 - 1} (--seed), got ${opts.seed}.`,
    );
  }
  return problems;
}

/** Yields the generated text a character (one code point) at a time. */
export async function* generate(model: Model, opts: GenerateOptions): AsyncGenerator<string> {
  const problems = checkGenerateOptions(opts);
  if (problems.length > 0) throw new FolioError(problems.join(' '), 'invalid-setting');
  const { vocab } = model;
  const unknown = vocab.unknown(opts.prime);
  if (unknown.length > 0 && !opts.dropUnknown) throw unknownCharsError(unknown, 'the prime text');
  const rng = Rng.at(opts.seed, Stream.sample, 0);
  const prime = [...vocab.encode(opts.prime, true)];
  // No prime: start a line, or, in a text without newlines, at its first symbol.
  if (prime.length === 0) prime.push(vocab.indexOf('\n') ?? 0);

  const stepper = new Stepper(model);
  try {
    for (const id of prime.slice(0, -1)) stepper.feed(id, false);
    let id = prime[prime.length - 1]!;
    for (let produced = 0; produced < opts.length; produced++) {
      id = sample(stepper.feed(id, true)!, opts, rng);
      yield vocab.chars[id]!;
      // Let the event loop breathe (Ctrl-C, IPC, UI) while a long sample runs.
      if (produced % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    stepper.dispose();
  }
}

/** The network run one character at a time, batch 1, holding its hidden states. */
class Stepper {
  private readonly kept: tf.Tensor[] = [];
  private readonly layers: {
    weightIhT: tf.Tensor2D;
    biasIh: tf.Tensor1D;
    weightHhT: tf.Tensor2D;
    biasHh: tf.Tensor1D;
  }[];
  private readonly headT: tf.Tensor2D; // [H, V]
  private h: tf.Tensor2D[]; // per layer, [1, H]

  private readonly embed: tf.Tensor2D; // [V, E]
  private readonly headBias: tf.Tensor1D; // [V]

  /**
   * Copies what it needs from `model.params` (transposed where a matmul wants it), so
   * training may go on replacing those tensors while a sample streams.
   */
  constructor(model: Model) {
    const p = model.params;
    const keep = <T extends tf.Tensor>(t: T): T => {
      this.kept.push(t);
      return t;
    };
    this.layers = Array.from({ length: model.config.numLayers }, (_, l) => ({
      weightIhT: keep(tf.transpose(p[`gru.weight_ih_l${l}`]!) as tf.Tensor2D), // [In, 3H]
      biasIh: keep(tf.clone(p[`gru.bias_ih_l${l}`]!) as tf.Tensor1D),
      weightHhT: keep(tf.transpose(p[`gru.weight_hh_l${l}`]!) as tf.Tensor2D), // [H, 3H]
      biasHh: keep(tf.clone(p[`gru.bias_hh_l${l}`]!) as tf.Tensor1D),
    }));
    this.headT = keep(tf.transpose(p['head.weight']!) as tf.Tensor2D);
    this.embed = keep(tf.clone(p['embed.weight']!) as tf.Tensor2D);
    this.headBias = keep(tf.clone(p['head.bias']!) as tf.Tensor1D);
    this.h = this.layers.map(() => tf.zeros([1, model.config.hiddenSize]) as tf.Tensor2D);
  }

  /** Advances one character; returns the next character's logits [V] when asked. */
  feed(id: number, wantLogits: boolean): Float32Array | undefined {
    const { h, logits } = tf.tidy(() => {
      let x = tf.gather(this.embed, tf.tensor1d([id], 'int32')) as tf.Tensor2D;
      const next = this.layers.map((layer, l) => {
        const gi = tf.add(tf.matMul(x, layer.weightIhT), layer.biasIh) as tf.Tensor2D;
        x = gruCell(gi, this.h[l]!, layer.weightHhT, layer.biasHh).h;
        return x;
      });
      const out = wantLogits ? tf.add(tf.matMul(x, this.headT), this.headBias) : undefined;
      return { h: next, logits: out };
    });
    tf.dispose(this.h);
    this.h = h;
    if (!logits) return undefined;
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return values;
  }

  dispose(): void {
    tf.dispose([...this.kept, ...this.h]);
  }
}
