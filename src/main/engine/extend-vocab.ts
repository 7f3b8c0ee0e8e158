/**
 * Growing a model's vocabulary, for resuming on a text with characters the model has never
 * seen. Only done when asked (the CLI's --extend-vocab, the studio's "Add them and
 * resume"): otherwise such a text is refused, naming the characters.
 *
 * New characters are appended, so every existing character keeps its index and its rows,
 * bit for bit. With V the old vocabSize, W the new one, E embedSize and H hiddenSize, the
 * three tensors indexed by character grow by W - V rows:
 *
 *   embed.weight [V, E] -> [W, E]   new rows: N(0, 1), as a new model's are
 *   head.weight  [V, H] -> [W, H]   new rows: zero
 *   head.bias    [V]    -> [W]      new entries: the smallest existing bias
 *
 * and Adam's moments for the new rows start at zero, as for a new model. Adam's step count
 * goes on, so its bias correction is spent: a new row's first update is about 3 lr
 * ((1 - 0.9) / sqrt(1 - 0.999)) rather than lr, shrinking to lr as its moments fill.
 * Characters the model knows but the new text lacks keep their rows. Nothing is removed.
 */
import type { Checkpoint, HostTensors } from './checkpoint';
import { Rng, Stream } from './rng';

/** Tensors whose first dimension is the vocabulary; all others stay as they are. */
const BY_CHARACTER = ['embed.weight', 'head.weight', 'head.bias'] as const;

/**
 * A copy of `ckpt` whose vocabulary also holds `added` (characters it lacks, appended in
 * the order given). The embedding rows of new characters are drawn from `seed` and their
 * index alone, so the same extension always gives the same model.
 */
export function extendVocab(ckpt: Checkpoint, added: readonly string[], seed: number): Checkpoint {
  const V = ckpt.config.vocabSize;
  const W = V + added.length;

  const params: HostTensors = { ...ckpt.params };
  params['embed.weight'] = grow(ckpt.params['embed.weight']!, V, W, (row, values) => {
    const rng = Rng.at(seed, Stream.vocabExtension, row);
    for (let k = 0; k < values.length; k++) values[k] = rng.normal();
  });
  params['head.weight'] = grow(ckpt.params['head.weight']!, V, W, () => undefined);
  // A zero weight row makes a new character's logit its bias alone, whatever the state. At
  // the smallest existing bias it starts as unlikely as the least favoured known character:
  // the loss on text the model already reads barely moves, and the first time the new
  // character appears costs about what a rare character does. A far lower bias would make
  // that first loss huge, which the divergence check would take for a blown-up run and
  // clipping would let those few characters dominate the step.
  const bias = ckpt.params['head.bias']!;
  const lowest = bias.reduce((a, b) => Math.min(a, b), Infinity);
  params['head.bias'] = grow(bias, V, W, (_, values) => values.fill(lowest));

  let adam = ckpt.adam;
  if (adam) {
    const zeros = (moments: HostTensors): HostTensors => {
      const out = { ...moments };
      for (const name of BY_CHARACTER) out[name] = grow(moments[name]!, V, W, () => undefined);
      return out;
    };
    adam = { step: adam.step, expAvg: zeros(adam.expAvg), expAvgSq: zeros(adam.expAvgSq) };
  }
  return {
    ...ckpt,
    config: { ...ckpt.config, vocabSize: W },
    vocab: [...ckpt.vocab, ...added],
    params,
    ...(adam ? { adam } : {}),
  };
}

/**
 * `data` ([V, width], row-major) with rows V..W-1 appended, zero unless `fill` sets them;
 * `fill` gets each new row's index and its values to write.
 */
function grow(
  data: Float32Array,
  V: number,
  W: number,
  fill: (row: number, values: Float32Array) => void,
): Float32Array {
  const width = data.length / V;
  const out = new Float32Array(W * width);
  out.set(data);
  for (let row = V; row < W; row++) fill(row, out.subarray(row * width, (row + 1) * width));
  return out;
}
