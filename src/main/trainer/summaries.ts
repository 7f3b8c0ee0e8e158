/** The engine's objects as the plain summaries the contract carries to the studio. */
import type { CorpusSummary, ModelSummary } from '../../shared/contract';
import type { Corpus } from '../engine/corpus';
import { countParams } from '../engine/model';
import type { Session } from '../engine/session';

const PREVIEW_CHARS = 600;

export function corpusSummary(corpus: Corpus): CorpusSummary {
  return {
    name: corpus.name,
    sha256: corpus.sha256,
    bytes: corpus.bytes,
    chars: corpus.ids.length,
    vocabSize: corpus.vocab.size,
    encoding: corpus.encoding,
    normalizeNewlines: corpus.normalizeNewlines,
    newlinesNormalized: corpus.newlinesNormalized,
    preview: [...corpus.text.slice(0, PREVIEW_CHARS * 2)].slice(0, PREVIEW_CHARS).join(''),
  };
}

export interface ModelOrigin {
  /** The file the model was opened from or saved to; none for a model trained here. */
  name?: string;
  backend: string;
  createdAt: string;
}

export function modelSummary(session: Session, origin: ModelOrigin): ModelSummary {
  const t = session.training;
  return {
    ...origin,
    // Unsaved: the name Save would suggest now (it changes with every step and valLoss).
    name: origin.name ?? checkpointName(session),
    config: session.config,
    paramCount: countParams(session.config),
    vocab: [...session.vocab.chars],
    step: t.step,
    settings: t.settings,
    bestValLoss: t.bestValLoss,
    trainLoss: t.trainLoss,
    valLoss: t.valLoss,
    elapsedSec: t.elapsedSec,
    corpus: {
      name: session.corpus.name,
      sha256: session.corpus.sha256,
      chars: session.corpus.chars,
    },
  };
}

/** "tinyshakespeare-step3000-val1.482.ckpt": corpus, step and the latest valLoss. */
export function checkpointName(session: Session): string {
  const base = session.corpus.name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'model';
  const t = session.training;
  const val = t.valLoss.at(-1)?.[1];
  return `${base}-step${t.step}${val === undefined ? '' : `-val${val.toFixed(3)}`}.ckpt`;
}
