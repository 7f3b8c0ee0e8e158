/**
 * The one contract between the studio and the trainer: every request with its params and
 * reply, and the stream of tagged events, as zod schemas. Electron's IPC, the trainer's
 * utility process and browser mode's WebSocket all carry these same messages, and every
 * side parses what it receives with them: a message that does not fit is refused with a
 * message naming the field, never half-handled.
 *
 * Runs anywhere (renderer, preload, main, trainer, tests): imports zod and shared types only.
 */
import { z } from 'zod';
import type { STUDIO_METHOD_NAMES } from './channels';
import { ErrorInfoSchema, parseOrThrow } from './errors';
import type { DoneEvent, EvalEvent, StartEvent, StepEvent } from './events';
import { checkSetting, type ModelConfig, type SettingName, type TrainSettings } from './settings';

// ---------------------------------------------------------------------------------------
// Building blocks

/**
 * A number field checked against the SETTINGS table, with the table's message also for NaN
 * (Electron's structured clone carries it) and non-numbers: checkSetting's test starts with
 * Number.isFinite, false for anything but a finite number, and shows the value as given.
 */
function setting(name: SettingName) {
  const problem = (value: unknown) => checkSetting(name, value as number);
  return z.custom<number>((value) => problem(value) === undefined, {
    error: (issue) => problem(issue.input),
  });
}

const count = z.number().int().nonnegative();
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
/** File names as shown and suggested; never a path the receiver opens. */
const fileName = z.string().min(1).max(255);
const lossPoint = z.tuple([z.number(), z.number()]);

export const ModelShapeSchema = z.object({
  embedSize: setting('embedSize'),
  hiddenSize: setting('hiddenSize'),
  numLayers: setting('numLayers'),
  dropout: setting('dropout'),
  headDropout: setting('headDropout'),
}) satisfies z.ZodType<Omit<ModelConfig, 'vocabSize'>>;

export const ModelConfigSchema = ModelShapeSchema.extend({
  vocabSize: count,
}) satisfies z.ZodType<ModelConfig>;

export const TrainSettingsSchema = z.object({
  seqLen: setting('seqLen'),
  batchSize: setting('batchSize'),
  lr: setting('lr'),
  lrDecay: setting('lrDecay'),
  clip: setting('clip'),
  steps: setting('steps'),
  valFraction: setting('valFraction'),
  evalEvery: setting('evalEvery'),
  seed: setting('seed'),
}) satisfies z.ZodType<TrainSettings>;

export const CorpusOptionsSchema = z.object({
  encoding: z.enum(['utf-8', 'windows-1252']),
  normalizeNewlines: z.boolean(),
});

export const CorpusSummarySchema = z.object({
  name: fileName,
  sha256: z.string(),
  bytes: count,
  /** Code points after newline normalisation. */
  chars: count,
  vocabSize: count,
  encoding: z.string(),
  normalizeNewlines: z.boolean(),
  newlinesNormalized: count,
  /** The first few hundred characters. */
  preview: z.string(),
});

export const BackendInfoSchema = z.object({
  name: z.string(),
  label: z.string(),
  skipped: z.array(z.string()),
});

/** A model as the studio shows it: after Open checkpoint…, and during or after a run. */
export const ModelSummarySchema = z.object({
  /** The checkpoint's file name, or a suggested one for a model trained here. */
  name: fileName,
  config: ModelConfigSchema,
  paramCount: count,
  vocab: z.array(z.string()),
  step: count,
  settings: TrainSettingsSchema,
  bestValLoss: z.number().nullable(),
  trainLoss: z.array(lossPoint),
  valLoss: z.array(lossPoint),
  elapsedSec: z.number(),
  corpus: z.object({ name: z.string(), sha256: z.string(), chars: count }),
  backend: z.string(),
  createdAt: z.string(),
});

/** A number field whose every problem gets the one message (the generator shows it live). */
function bounded(message: string, check: (n: number) => boolean) {
  return z.number({ error: message }).refine(check, { message });
}

export const GenerateOptionsSchema = z.object({
  length: bounded(
    'Length must be a whole number from 1 to 1000000.',
    (n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000,
  ),
  temperature: bounded(
    'Temperature must be a number from 0 (greedy) to 100.',
    (n) => n >= 0 && n <= 100,
  ),
  topK: bounded(
    'Top-k must be a whole number, 0 for no limit.',
    (n) => Number.isInteger(n) && n >= 0,
  ),
  topP: bounded(
    'Top-p must be greater than 0 and at most 1 (1 keeps all).',
    (n) => n > 0 && n <= 1,
  ),
  prime: z.string().max(100_000, 'Prime text is limited to 100,000 characters.'),
  seed: bounded(
    `Seed must be a whole number from 0 to ${2 ** 32 - 1}.`,
    (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
  ),
  dropUnknown: z.boolean(),
});

/** The generator's problems, one message per field; empty when the options are valid. */
export function generateProblems(options: unknown): string[] {
  const result = GenerateOptionsSchema.safeParse(options);
  return result.success ? [] : [...new Set(result.error.issues.map((i) => i.message))];
}

// ---------------------------------------------------------------------------------------
// Events: the training progress union from events.ts, plus the trainer's own news

export const StartEventSchema = z.object({
  type: z.literal('start'),
  step: count,
  totalSteps: count,
  stepsPerEpoch: count,
  backend: z.string(),
  paramCount: count,
  vocabSize: count,
  trainChars: count,
  valChars: count,
}) satisfies z.ZodType<StartEvent>;

export const StepEventSchema = z.object({
  type: z.literal('step'),
  step: count,
  totalSteps: count,
  epoch: z.number(),
  trainLoss: z.number(),
  lr: z.number(),
  charsPerSec: z.number(),
  etaSec: z.number(),
  elapsedSec: z.number(),
}) satisfies z.ZodType<StepEvent>;

export const EvalEventSchema = z.object({
  type: z.literal('eval'),
  step: count,
  valLoss: z.number(),
  bestValLoss: z.number(),
}) satisfies z.ZodType<EvalEvent>;

export const DoneEventSchema = z.object({
  type: z.literal('done'),
  step: count,
  reason: z.enum(['finished', 'stopped', 'diverged']),
  message: z.string().optional(),
}) satisfies z.ZodType<DoneEvent>;

export const StudioEventSchema = z.discriminatedUnion('type', [
  StartEventSchema,
  StepEventSchema,
  EvalEventSchema,
  DoneEventSchema,
  /** A piece of generated text for the generation `id`. */
  z.object({ type: z.literal('sample'), id: z.string(), text: z.string() }),
  /** A checkpoint written without being asked: periodic, or a new best valLoss. */
  z.object({
    type: z.literal('autosaved'),
    kind: z.enum(['autosave', 'best']),
    path: z.string(),
    step: count,
  }),
  /** Something went wrong beside the run (e.g. an autosave failed); training goes on. */
  z.object({ type: z.literal('warning'), message: z.string() }),
  /** Training ended by an error rather than a 'done' event (e.g. out of memory). */
  z.object({ type: z.literal('trainError'), message: z.string() }),
  /** The trainer process died; a new one is already starting, with no model loaded. */
  z.object({ type: z.literal('trainerLost'), message: z.string() }),
]);

export type StudioEvent = z.infer<typeof StudioEventSchema>;
export type CorpusSummary = z.infer<typeof CorpusSummarySchema>;
export type ModelSummary = z.infer<typeof ModelSummarySchema>;
export type BackendInfo = z.infer<typeof BackendInfoSchema>;
export type GenerateOptions = z.infer<typeof GenerateOptionsSchema>;
export type CorpusOptions = z.infer<typeof CorpusOptionsSchema>;

// ---------------------------------------------------------------------------------------
// Requests

export interface Method<P extends z.ZodType, R extends z.ZodType> {
  params: P;
  reply: R;
}
export const method = <P extends z.ZodType, R extends z.ZodType>(
  params: P,
  reply: R,
): Method<P, R> => ({
  params,
  reply,
});
const empty = z.object({});

/** What the studio may ask the trainer; main and the server forward these unchanged. */
export const STUDIO_METHODS = {
  /** The trainer's state, for a studio that (re)connects. */
  hello: method(
    empty,
    z.object({
      backend: BackendInfoSchema,
      corpus: CorpusSummarySchema.nullable(),
      model: ModelSummarySchema.nullable(),
      training: z.boolean(),
      builtinCorpus: z.object({ name: z.string(), bytes: count }),
    }),
  ),
  openCorpus: method(CorpusOptionsSchema.extend({ name: fileName, bytes }), CorpusSummarySchema),
  /** Tiny Shakespeare: from the cache, or downloaded once and checked against its SHA-256. */
  openBuiltinCorpus: method(CorpusOptionsSchema, CorpusSummarySchema),
  /** Starts a run; replies once it has started. Progress arrives as events. */
  train: method(
    z.object({
      model: ModelShapeSchema,
      settings: TrainSettingsSchema,
      resume: z.boolean(),
      /**
       * Resuming on a corpus with characters the model lacks: append them to its vocabulary
       * (existing indices never shift). Without it such a corpus is refused, code
       * 'unknown-characters'.
       */
      extendVocab: z.boolean().optional(),
    }),
    StartEventSchema,
  ),
  /** Asks the run to end after the current step; its 'done' event follows. */
  stop: method(empty, z.object({ running: z.boolean() })),
  /** Streams 'sample' events with this id; replies when the text is complete or stopped. */
  generate: method(
    z.object({ id: z.string().min(1).max(100), options: GenerateOptionsSchema }),
    z.object({ id: z.string(), reason: z.enum(['finished', 'stopped']), chars: count }),
  ),
  stopGenerate: method(z.object({ id: z.string() }), z.object({ running: z.boolean() })),
  /** The current model as .ckpt bytes, with a suggested file name. */
  exportCheckpoint: method(empty, z.object({ name: fileName, bytes })),
  /** Loads a .ckpt: the model to generate from or resume. */
  openCheckpoint: method(z.object({ name: fileName, bytes }), ModelSummarySchema),
} as const satisfies Record<(typeof STUDIO_METHOD_NAMES)[number], unknown>;

/**
 * Requests only the host (Electron main, the server) may send: they name files on disk,
 * which a studio never chooses itself (main's dialogs do).
 */
export const HOST_METHODS = {
  openCorpusFile: method(
    CorpusOptionsSchema.extend({ path: z.string().min(1) }),
    CorpusSummarySchema,
  ),
  saveCheckpoint: method(z.object({ path: z.string().min(1) }), z.object({ name: fileName })),
  openCheckpointFile: method(z.object({ path: z.string().min(1) }), ModelSummarySchema),
} as const;

export const TRAINER_METHODS = { ...STUDIO_METHODS, ...HOST_METHODS } as const;

export type StudioMethod = keyof typeof STUDIO_METHODS;
export type TrainerMethod = keyof typeof TRAINER_METHODS;
export type Params<M extends TrainerMethod> = z.input<(typeof TRAINER_METHODS)[M]['params']>;
export type Reply<M extends TrainerMethod> = z.infer<(typeof TRAINER_METHODS)[M]['reply']>;

export function isStudioMethod(name: string): name is StudioMethod {
  return Object.hasOwn(STUDIO_METHODS, name);
}

export function isTrainerMethod(name: string): name is TrainerMethod {
  return Object.hasOwn(TRAINER_METHODS, name);
}

// ---------------------------------------------------------------------------------------
// Envelopes: how requests, replies and events travel between processes

export const RequestMessageSchema = z.object({
  kind: z.literal('request'),
  id: count,
  method: z.string(),
  params: z.unknown(),
});

export const ReplyMessageSchema = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('reply'), id: count, ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('reply'), id: count, ok: z.literal(false), error: ErrorInfoSchema }),
]);

export const EventMessageSchema = z.object({ kind: z.literal('event'), event: StudioEventSchema });

/** What a trainer (or the server, to a browser) sends back. */
export const ServerMessageSchema = z.union([ReplyMessageSchema, EventMessageSchema]);

export type RequestMessage = z.infer<typeof RequestMessageSchema>;
export type ReplyMessage = z.infer<typeof ReplyMessageSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** Params parsed for `method`, or a ContractError naming the bad fields. */
export function parseParams<M extends TrainerMethod>(
  method: M,
  params: unknown,
): z.infer<(typeof TRAINER_METHODS)[M]['params']> {
  const schema = TRAINER_METHODS[method].params as z.ZodType;
  return parseOrThrow(schema, params, `${method} params`) as z.infer<
    (typeof TRAINER_METHODS)[M]['params']
  >;
}

export function parseReply<M extends TrainerMethod>(method: M, result: unknown): Reply<M> {
  return parseOrThrow(TRAINER_METHODS[method].reply, result, `${method} reply`) as Reply<M>;
}

export * from './errors';
