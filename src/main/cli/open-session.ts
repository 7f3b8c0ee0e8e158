/**
 * The model `train` runs on: a new one from the flags, or a checkpoint resumed with the
 * flags' settings laid over its own, checked (steps left, characters known) before training.
 */
import { basename } from 'node:path';
import { listChars } from '../../shared/chars';
import {
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  type ModelConfig,
  type TrainSettings,
} from '../../shared/settings';
import { checkSplitFits, splitCorpus, TrainBatches } from '../engine/batches';
import { loadCheckpoint } from '../engine/checkpoint';
import type { Corpus } from '../engine/corpus';
import { FolioError } from '../engine/errors';
import { missingCharsError, Session } from '../engine/session';
import { log } from './output';

/** What the command line asked of the model. */
export interface SessionRequest {
  resumePath?: string;
  extendVocab: boolean;
  model: Partial<Omit<ModelConfig, 'vocabSize'>>;
  settings: Partial<TrainSettings>;
  epochs?: number;
}

/** A new model, or the checkpoint to resume with the flags' settings laid over its own. */
export async function openSession(request: SessionRequest, corpus: Corpus): Promise<Session> {
  let session: Session;
  if (request.resumePath) {
    session = Session.fromCheckpoint(await loadCheckpoint(request.resumePath));
    session.useSettings({ ...session.training.settings, ...request.settings });
    log(`resuming ${basename(request.resumePath)} at step ${session.training.step}`);
    if (session.corpus.sha256 !== corpus.sha256) {
      log(
        `note: ${corpus.name} is not the text this checkpoint was trained on ` +
          `(${session.corpus.name}); its loss history continues across both.`,
      );
    }
  } else {
    const settings = { ...DEFAULT_TRAIN, ...request.settings };
    session = Session.create(corpus, { ...DEFAULT_MODEL, ...request.model }, settings);
  }
  const settings = session.training.settings;
  if (request.epochs !== undefined) {
    const { batchSize, seqLen, valFraction, seed } = settings;
    const split = splitCorpus(corpus.ids, valFraction);
    checkSplitFits(split, batchSize, seqLen, valFraction);
    const perEpoch = new TrainBatches(split.train, batchSize, seqLen, seed).stepsPerEpoch;
    settings.steps = Math.max(1, Math.round(request.epochs * perEpoch));
  }
  const done = session.training.step;
  if (settings.steps <= done) {
    session.dispose();
    throw new FolioError(
      `The checkpoint has already taken ${done} steps; ask for more with --steps ` +
        `(a total, e.g. --steps ${done + 1000}).`,
      'invalid-setting',
    );
  }
  // Characters last: nothing is said to be extended for a run that is then refused.
  return request.resumePath ? withCorpusVocab(session, corpus, request.extendVocab) : session;
}

/**
 * The resumed model, refused (naming the characters) if `corpus` has characters it lacks,
 * or, with --extend-vocab, a copy whose vocabulary has them appended.
 */
function withCorpusVocab(session: Session, corpus: Corpus, extend: boolean): Session {
  const missing = session.missingChars(corpus);
  if (missing.length === 0) return session;
  if (!extend) {
    session.dispose();
    throw missingCharsError(
      corpus,
      missing,
      'resume with --extend-vocab to add them (the characters it knows keep their indices), ' +
        'or train a new model for this text',
    );
  }
  const extended = session.withExtraChars(missing, session.training.settings.seed);
  session.dispose();
  log(
    `extended the vocabulary by ${missing.length} character(s): ${listChars(missing)}; ` +
      `vocabSize ${session.config.vocabSize} -> ${extended.config.vocabSize}`,
  );
  return extended;
}
