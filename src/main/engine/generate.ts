/**
 * Text generation: feed the prime through the network, then repeatedly turn the last
 * state into logits, draw a character and feed it back. Streams characters as they come.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../shared/settings';
import { FolioError } from './errors';
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

/**
 * The network run one character at a time, batch 1, holding its hidden states.
 *
 * At batch 1 the cost of a character is the number of tfjs ops, not arithmetic, so each
 * character takes one matrix multiply per layer and the gates are done in plain JS on
 * [3H] vectors (the same equations as gruCell). Layer 0's input projection is a lookup
 * in a table computed once (embed @ W_ih^T + b_ih, [V, 3H]), and the last layer's
 * recurrent weights sit beside the head's, so one multiply yields both this
 * character's logits and the next character's recurrent projection.
 */
class Stepper {
  private readonly hidden: number;
  private readonly vocabSize: number;
  private readonly giTable: Float32Array; // layer 0's input projection per symbol, [V, 3H]
  private readonly tensors: tf.Tensor[] = [];
  /** Per layer above 0: W_ih^T [H, 3H] and b_ih, applied to the layer below's output. */
  private readonly inputs: { weightT: tf.Tensor2D; bias: tf.Tensor1D }[] = [];
  /** Per layer but the last: W_hh^T [H, 3H] and b_hh. */
  private readonly recurrent: { weightT: tf.Tensor2D; bias: tf.Tensor1D }[] = [];
  /** The last layer: [W_hh^T | head^T] [H, 3H + V] and [b_hh | head bias]. */
  private readonly lastAndHead: { weightT: tf.Tensor2D; bias: tf.Tensor1D };
  private readonly h: Float32Array[]; // per layer, [H]
  /** Per layer, W_hh h + b_hh for the current h, [3H]. */
  private readonly gh: Float32Array[];
  private logits: Float32Array;

  /**
   * Copies what it needs from `model.params` (transposed where a matmul wants it), so
   * training may go on replacing those tensors while a sample streams.
   */
  constructor(model: Model) {
    const p = model.params;
    const { numLayers, hiddenSize: H, vocabSize: V } = model.config;
    this.hidden = H;
    this.vocabSize = V;
    const keep = <T extends tf.Tensor>(t: T): T => {
      this.tensors.push(t);
      return t;
    };
    const table = tf.tidy(() =>
      tf.add(
        tf.matMul(p['embed.weight']!, tf.transpose(p['gru.weight_ih_l0']!)),
        p['gru.bias_ih_l0']!,
      ),
    );
    this.giTable = table.dataSync() as Float32Array;
    table.dispose();
    for (let l = 1; l < numLayers; l++) {
      this.inputs.push({
        weightT: keep(tf.transpose(p[`gru.weight_ih_l${l}`]!) as tf.Tensor2D),
        bias: keep(tf.clone(p[`gru.bias_ih_l${l}`]!) as tf.Tensor1D),
      });
    }
    for (let l = 0; l < numLayers - 1; l++) {
      this.recurrent.push({
        weightT: keep(tf.transpose(p[`gru.weight_hh_l${l}`]!) as tf.Tensor2D),
        bias: keep(tf.clone(p[`gru.bias_hh_l${l}`]!) as tf.Tensor1D),
      });
    }
    const last = numLayers - 1;
    this.lastAndHead = tf.tidy(() => ({
      weightT: keep(
        tf.concat([tf.transpose(p[`gru.weight_hh_l${last}`]!), tf.transpose(p['head.weight']!)], 1),
      ) as tf.Tensor2D,
      bias: keep(tf.concat([p[`gru.bias_hh_l${last}`]!, p['head.bias']!])) as tf.Tensor1D,
    }));
    this.h = Array.from({ length: numLayers }, () => new Float32Array(H));
    // With h = 0, W_hh h + b_hh is the bias, and the logits before any input are unused.
    this.gh = Array.from({ length: numLayers }, (_, l) =>
      Float32Array.from(p[`gru.bias_hh_l${l}`]!.dataSync()),
    );
    this.logits = new Float32Array(V);
  }

  /** Advances one character; returns the next character's logits [V] when asked. */
  feed(id: number, wantLogits: boolean): Float32Array | undefined {
    const H = this.hidden;
    const numLayers = this.h.length;
    let gi = this.giTable.subarray(id * 3 * H, (id + 1) * 3 * H);
    for (let l = 0; l < numLayers; l++) {
      gruGates(gi, this.gh[l]!, this.h[l]!);
      if (l < numLayers - 1) {
        // The next layer's input projection and this layer's next recurrent projection.
        const [giNext, ghNext] = tf.tidy(() => {
          const x = tf.tensor2d(this.h[l]!, [1, H]);
          const a = this.inputs[l]!;
          const r = this.recurrent[l]!;
          return [
            tf.fused.matMul({ a: x, b: a.weightT, bias: a.bias }),
            tf.fused.matMul({ a: x, b: r.weightT, bias: r.bias }),
          ];
        });
        gi = giNext.dataSync() as Float32Array;
        this.gh[l]!.set(ghNext.dataSync());
        tf.dispose([giNext, ghNext]);
      }
    }
    // One multiply for the last layer: [next gh | logits] = h [W_hh^T | head^T] + biases.
    const out = tf.tidy(() =>
      tf.fused.matMul({
        a: tf.tensor2d(this.h[numLayers - 1]!, [1, H]),
        b: this.lastAndHead.weightT,
        bias: this.lastAndHead.bias,
      }),
    );
    const values = out.dataSync() as Float32Array;
    out.dispose();
    this.gh[numLayers - 1]!.set(values.subarray(0, 3 * H));
    this.logits = values.slice(3 * H, 3 * H + this.vocabSize);
    return wantLogits ? this.logits : undefined;
  }

  dispose(): void {
    tf.dispose(this.tensors);
  }
}

/**
 * One GRU step on vectors, in place on `h` ([H]): gi = W_ih x + b_ih and gh = W_hh h + b_hh
 * ([3H], rows r, z, n). Same equations as gruCell in gru.ts.
 */
function gruGates(gi: Float32Array, gh: Float32Array, h: Float32Array): void {
  const H = h.length;
  for (let j = 0; j < H; j++) {
    const r = 1 / (1 + Math.exp(-(gi[j]! + gh[j]!)));
    const z = 1 / (1 + Math.exp(-(gi[H + j]! + gh[H + j]!)));
    const n = Math.tanh(gi[2 * H + j]! + r * gh[2 * H + j]!);
    h[j] = n + z * (h[j]! - n);
  }
}
