/**
 * The trainer: the engine behind the contract. It holds one corpus, one model (a Session)
 * and at most one training run, answers requests and sends progress as events.
 *
 * It knows nothing of its transport: `send` may post to Electron's parent port, to a
 * forked Node parent, or straight to a test. Requests run concurrently, so Stop and
 * Generate are answered while a run goes on (the engine yields after every step).
 */
import { basename, join } from 'node:path';
import type { z } from 'zod';
import {
  errorInfo,
  parseParams,
  RequestMessageSchema,
  isTrainerMethod,
  type Reply,
  type ServerMessage,
  type StudioEvent,
  type TrainerMethod,
  TRAINER_METHODS,
} from '../../shared/contract';
import { MODEL_FIELDS, SETTINGS, type ModelConfig } from '../../shared/settings';
import type { EvalEvent, StartEvent } from '../../shared/events';
import { initBackend, type BackendChoice, type BackendInfo } from '../engine/backend';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
} from '../engine/checkpoint';
import { corpusFromBytes, readCorpus, type Corpus } from '../engine/corpus';
import { FolioError } from '../engine/errors';
import { generate } from '../engine/generate';
import { missingCharsError, Session } from '../engine/session';
import { train } from '../engine/train';
import { Autosaves } from './autosaves';
import { loadBuiltinCorpus, type BuiltinCorpus } from './builtin-corpus';
import { checkpointName, corpusSummary, modelSummary, type ModelOrigin } from './summaries';

export interface TrainerHostOptions {
  send: (message: ServerMessage) => void;
  /** The built-in corpus's source (tests give a local server). */
  builtinCorpus: BuiltinCorpus;
  /** Where autosaves and the corpus cache live; without it there are neither. */
  dataDir?: string;
  backend?: BackendChoice;
  /** Seconds between periodic autosaves during a run (at evaluations). Default 300. */
  autosaveEverySec?: number;
}

type ParsedParams<M extends TrainerMethod> = z.infer<(typeof TRAINER_METHODS)[M]['params']>;
type Handlers = { [M in TrainerMethod]: (params: ParsedParams<M>) => Promise<Reply<M>> };

/** Generated text is sent in pieces at most this far apart (ms), not a message per char. */
const SAMPLE_FLUSH_MS = 40;

export class TrainerHost {
  private readonly backend: Promise<BackendInfo>;
  private corpus: Corpus | undefined;
  private session: Session | undefined;
  private origin: ModelOrigin | undefined;
  private run: { stopRequested: boolean } | undefined;
  private readonly generations = new Map<string, { stopRequested: boolean }>();
  private readonly autosaves: Autosaves;

  constructor(private readonly options: TrainerHostOptions) {
    this.backend = initBackend(options.backend ?? 'auto');
    // A failed start is reported by every request that needs the backend.
    this.backend.catch(() => undefined);
    this.autosaves = new Autosaves(
      options.dataDir,
      options.autosaveEverySec ?? 300,
      async () => (await this.backend).name,
      (event) => this.emit(event),
    );
  }

  /** Handles one incoming message; never throws (problems go back as error replies). */
  async handle(message: unknown): Promise<void> {
    const parsed = RequestMessageSchema.safeParse(message);
    if (!parsed.success) return; // not a request: nothing to reply to
    const { id, method, params } = parsed.data;
    try {
      if (!isTrainerMethod(method)) {
        throw new FolioError(`Unknown request "${method}".`, 'invalid-input');
      }
      const handler = this.handlers[method] as (p: unknown) => Promise<unknown>;
      const result = await handler(parseParams(method, params));
      this.options.send({ kind: 'reply', id, ok: true, result });
    } catch (err) {
      this.options.send({ kind: 'reply', id, ok: false, error: errorInfo(err) });
    }
  }

  private emit(event: StudioEvent): void {
    this.options.send({ kind: 'event', event });
  }

  private readonly handlers: Handlers = {
    hello: async () => ({
      backend: await this.backend,
      corpus: this.corpus ? corpusSummary(this.corpus) : null,
      model: this.session && this.origin ? modelSummary(this.session, this.origin) : null,
      training: this.run !== undefined,
      builtinCorpus: {
        name: this.options.builtinCorpus.title,
        bytes: this.options.builtinCorpus.bytes,
      },
    }),

    openCorpus: async ({ name, bytes, ...opts }) =>
      this.useCorpus(corpusFromBytes(bytes, basename(name), opts)),

    openCorpusFile: async ({ path, ...opts }) => this.useCorpus(await readCorpus(path, opts)),

    openBuiltinCorpus: async (opts) => {
      const source = this.options.builtinCorpus;
      const bytes = await loadBuiltinCorpus(source, this.cacheDir());
      return this.useCorpus(corpusFromBytes(bytes, source.fileName, opts));
    },

    train: async (params) => this.startRun(params),

    stop: async () => {
      if (this.run) this.run.stopRequested = true;
      return { running: this.run !== undefined };
    },

    generate: async ({ id, options }) => {
      const session = this.requireModel('generate');
      if (this.generations.has(id)) {
        throw new FolioError(`A generation with id ${id} is already running.`, 'invalid-input');
      }
      const state = { stopRequested: false };
      this.generations.set(id, state);
      let chars = 0;
      let pending = '';
      let flushedAt = performance.now();
      try {
        for await (const ch of generate(session, options)) {
          pending += ch;
          chars++;
          if (performance.now() - flushedAt >= SAMPLE_FLUSH_MS) {
            this.emit({ type: 'sample', id, text: pending });
            pending = '';
            flushedAt = performance.now();
          }
          if (state.stopRequested) break;
        }
      } finally {
        if (pending) this.emit({ type: 'sample', id, text: pending });
        this.generations.delete(id);
      }
      return { id, reason: state.stopRequested ? 'stopped' : 'finished', chars };
    },

    stopGenerate: async ({ id }) => {
      const state = this.generations.get(id);
      if (state) state.stopRequested = true;
      return { running: state !== undefined };
    },

    exportCheckpoint: async () => {
      const session = this.requireModel('save');
      const bytes = encodeCheckpoint(session.toCheckpoint((await this.backend).name));
      return { name: checkpointName(session), bytes };
    },

    saveCheckpoint: async ({ path }) => {
      const session = this.requireModel('save');
      await saveCheckpoint(path, session.toCheckpoint((await this.backend).name));
      if (this.origin) this.origin.name = basename(path);
      return { name: basename(path) };
    },

    openCheckpoint: async ({ name, bytes }) => this.useModel(decodeCheckpoint(bytes, name), name),

    openCheckpointFile: async ({ path }) =>
      this.useModel(await loadCheckpoint(path), basename(path)),
  };

  private useCorpus(corpus: Corpus) {
    this.corpus = corpus;
    return corpusSummary(corpus);
  }

  private async useModel(ckpt: Checkpoint, name: string) {
    await this.backend;
    this.refuseWhileTraining('open a checkpoint');
    const session = Session.fromCheckpoint(ckpt);
    this.session?.dispose();
    this.session = session;
    this.origin = { name, backend: ckpt.backend, createdAt: ckpt.createdAt };
    return modelSummary(session, this.origin);
  }

  private requireModel(action: string): Session {
    if (!this.session) {
      throw new FolioError(
        `There is no model to ${action} yet: train one, or open a checkpoint.`,
        'invalid-input',
      );
    }
    return this.session;
  }

  private refuseWhileTraining(action: string): void {
    if (this.run) {
      throw new FolioError(
        `Cannot ${action} while training runs; press Stop first.`,
        'invalid-input',
      );
    }
  }

  private cacheDir(): string | undefined {
    return this.options.dataDir && join(this.options.dataDir, 'corpora');
  }

  /**
   * Starts a run on a new model (resume false) or the current one, and resolves with its
   * 'start' event; anything wrong with the settings is thrown before a step is taken.
   */
  private async startRun(params: ParsedParams<'train'>): Promise<StartEvent> {
    const backend = await this.backend;
    this.refuseWhileTraining('start another run');
    if (!this.corpus) {
      throw new FolioError('Open a corpus first: the model needs text to learn.', 'invalid-input');
    }
    const corpus = this.corpus;
    const previous = this.session;
    let session: Session;
    let restoreSettings = () => {};
    if (params.resume) {
      session = this.resumable(corpus, params);
      if (session === previous) {
        const { settings, bestValLoss } = session.training;
        const { corpus: info } = session;
        restoreSettings = () => {
          Object.assign(session.training, { settings, bestValLoss });
          session.corpus = info;
        };
      }
      session.useSettings(params.settings);
    } else {
      session = Session.create(corpus, params.model, params.settings);
      // Before the run, whose first save must not be the one set aside.
      await this.autosaves.setAside();
    }

    const run = { stopRequested: false };
    this.run = run;
    let started: (event: StartEvent) => void = () => {};
    const startEvent = new Promise<StartEvent>((resolve) => (started = resolve));
    let lastEval: EvalEvent | undefined;
    const done = train(session, corpus, {
      backend: backend.name,
      shouldStop: () => run.stopRequested,
      onEvent: (event) => {
        if (event.type === 'start') started(event);
        if (event.type === 'eval') lastEval = event;
        this.emit(event);
      },
      afterEval: () => this.autosaves.afterEval(session, lastEval),
    });

    try {
      const start = await Promise.race([startEvent, done.then(() => startEvent)]);
      if (session !== previous) {
        previous?.dispose();
        this.session = session;
        // A resumed model, grown or not, keeps the name of the file it came from.
        if (!params.resume) this.origin = { backend: backend.name, createdAt: '' };
      }
      void this.finishRun(done, session);
      return start;
    } catch (err) {
      // Refused before the first step: keep the model there was.
      this.run = undefined;
      if (session !== previous) session.dispose();
      else restoreSettings();
      throw err;
    }
  }

  /**
   * The model to resume on `corpus`: the current one, or, when the corpus has characters it
   * lacks and the studio asked to add them, a copy with them appended to its vocabulary.
   * Refuses, changing nothing, when there are no steps left to take or new characters were
   * not asked for.
   */
  private resumable(corpus: Corpus, params: ParsedParams<'train'>): Session {
    const current = this.requireModel('resume');
    refuseShapeChange(current.config, params.model);
    const done = current.training.step;
    if (params.settings.steps <= done) {
      throw new FolioError(
        `The model has already taken ${done} steps; set Steps above that ` +
          `(a total, e.g. ${done + 1000}) to train further.`,
        'invalid-setting',
      );
    }
    const missing = current.missingChars(corpus);
    if (missing.length === 0) return current;
    if (!params.extendVocab) {
      throw missingCharsError(
        corpus,
        missing,
        'choose "Add them and resume" to append them to its vocabulary (the characters it ' +
          'knows keep their indices), or train a new model for this text',
      );
    }
    return current.withExtraChars(missing, params.settings.seed);
  }

  /** Waits for the run to end, then saves what it reached. */
  private async finishRun(done: ReturnType<typeof train>, session: Session): Promise<void> {
    try {
      const event = await done;
      if (event.reason !== 'diverged') await this.autosaves.save(session, 'autosave');
    } catch (err) {
      this.emit({ type: 'trainError', message: errorInfo(err).message });
    } finally {
      this.run = undefined;
    }
  }
}

/**
 * Resuming keeps the model as it is: a form whose model fields differ from it would
 * otherwise be ignored without a word. Names each field and both values.
 */
function refuseShapeChange(config: ModelConfig, asked: Omit<ModelConfig, 'vocabSize'>): void {
  const changed = MODEL_FIELDS.filter((name) => asked[name] !== config[name]);
  if (changed.length === 0) return;
  const list = changed
    .map((name) => `${SETTINGS[name].label} is ${config[name]} in the model, ${asked[name]} here`)
    .join('; ');
  throw new FolioError(
    `Resuming keeps the model's settings: ${list}. Set them back to resume, or press Train ` +
      'to start a new model with them.',
    'invalid-setting',
  );
}
