/**
 * A model with everything needed to train it further or sample from it: config, ordered
 * vocabulary, weights, Adam's state and the training history. Converts to and from a
 * Checkpoint; owns its tensors until dispose().
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, TrainSettings } from '../../shared/settings';
import { initAdam, type AdamState } from './adam';
import type { Checkpoint, CorpusInfo, HostTensors, TrainingState } from './checkpoint';
import type { Corpus } from './corpus';
import { FolioError } from './errors';
import { extendVocab } from './extend-vocab';
import { initParams, paramShapes, type Params } from './model';
import { listChars } from '../../shared/chars';
import { Vocabulary } from './vocab';

export class Session {
  private constructor(
    readonly config: ModelConfig,
    readonly vocab: Vocabulary,
    public params: Params,
    public adam: AdamState,
    public training: TrainingState,
    public corpus: CorpusInfo,
  ) {}

  /** A new, randomly initialised model for `corpus`. */
  static create(
    corpus: Corpus,
    model: Omit<ModelConfig, 'vocabSize'>,
    settings: TrainSettings,
  ): Session {
    const config: ModelConfig = { ...model, vocabSize: corpus.vocab.size };
    const params = initParams(config, settings.seed);
    const training: TrainingState = {
      step: 0,
      settings,
      bestValLoss: null,
      trainLoss: [],
      valLoss: [],
      elapsedSec: 0,
    };
    return new Session(
      config,
      corpus.vocab,
      params,
      initAdam(params),
      training,
      corpusInfo(corpus),
    );
  }

  static fromCheckpoint(ckpt: Checkpoint): Session {
    const shapes = new Map(paramShapes(ckpt.config));
    const toTensors = (host: HostTensors): Params =>
      Object.fromEntries(
        Object.entries(host).map(([name, data]) => [name, tf.tensor(data, shapes.get(name))]),
      );
    const params = toTensors(ckpt.params);
    const adam: AdamState = ckpt.adam
      ? {
          step: ckpt.adam.step,
          expAvg: toTensors(ckpt.adam.expAvg),
          expAvgSq: toTensors(ckpt.adam.expAvgSq),
        }
      : initAdam(params);
    const training = structuredClone(ckpt.training);
    return new Session(
      ckpt.config,
      new Vocabulary(ckpt.vocab),
      params,
      adam,
      training,
      ckpt.corpus,
    );
  }

  toCheckpoint(backend: string): Checkpoint {
    const toHost = (tensors: Params): HostTensors =>
      Object.fromEntries(
        Object.entries(tensors).map(([name, t]) => [name, t.dataSync() as Float32Array]),
      );
    return {
      config: this.config,
      vocab: [...this.vocab.chars],
      params: toHost(this.params),
      adam: {
        step: this.adam.step,
        expAvg: toHost(this.adam.expAvg),
        expAvgSq: toHost(this.adam.expAvgSq),
      },
      training: structuredClone(this.training),
      corpus: this.corpus,
      backend,
      createdAt: new Date().toISOString(),
    };
  }

  /**
   * The corpus as indices of this model's vocabulary. Indices never shift: a corpus with a
   * character the model has no symbol for is refused, naming the characters (resuming
   * callers check first, to offer extending the vocabulary).
   */
  encodeCorpus(corpus: Corpus): Int32Array {
    const missing = this.missingChars(corpus);
    if (missing.length > 0) {
      throw missingCharsError(corpus, missing, 'train a new model for this text');
    }
    // Another text means another held-out part: a best valLoss measured on the old one
    // is not comparable (and could never be beaten), so it is forgotten.
    if (corpus.sha256 !== this.corpus.sha256) this.training.bestValLoss = null;
    this.corpus = corpusInfo(corpus);
    return this.vocab.encode(corpus.text);
  }

  /**
   * Settings for the next run of this model. Another valFraction holds out another part of
   * the text, so the old bestValLoss is forgotten then too.
   */
  useSettings(settings: TrainSettings): void {
    if (settings.valFraction !== this.training.settings.valFraction) {
      this.training.bestValLoss = null;
    }
    this.training.settings = { ...settings };
  }

  /** Characters of `corpus` this model has no symbol for, in code-point order. */
  missingChars(corpus: Corpus): string[] {
    return corpus.vocab.chars.filter((ch) => !this.vocab.has(ch));
  }

  /**
   * A copy of this model whose vocabulary also holds `chars`, appended (extend-vocab.ts),
   * with new embedding rows drawn from `seed`. This session stays as it was.
   */
  withExtraChars(chars: readonly string[], seed: number): Session {
    return Session.fromCheckpoint(extendVocab(this.toCheckpoint(tf.getBackend()), chars, seed));
  }

  dispose(): void {
    tf.dispose([
      ...Object.values(this.params),
      ...Object.values(this.adam.expAvg),
      ...Object.values(this.adam.expAvgSq),
    ]);
  }
}

/** "x.txt has 2 character(s) that this model's vocabulary lacks: '!', '?'. This model …" */
export function missingCharsError(corpus: Corpus, missing: string[], fix: string): FolioError {
  return new FolioError(
    `${corpus.name} has ${missing.length} character(s) that this model's vocabulary ` +
      `lacks: ${listChars(missing)}. This model can only read text ` +
      `made of the characters it was trained on; ${fix}.`,
    'unknown-characters',
  );
}

export function corpusInfo(corpus: Corpus): CorpusInfo {
  return {
    name: corpus.name,
    sha256: corpus.sha256,
    bytes: corpus.bytes,
    chars: corpus.ids.length,
    encoding: corpus.encoding,
    normalizeNewlines: corpus.normalizeNewlines,
  };
}
