/** `folio train`: train a new model, or resume one, printing a progress line per report. */
import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { EvalEvent, StepEvent, TrainEvent } from '../../shared/events';
import {
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  MODEL_FIELDS,
  SETTINGS,
  TRAIN_FIELDS,
  type SettingName,
} from '../../shared/settings';
import { initBackend, parseBackend } from '../engine/backend';
import { saveCheckpoint } from '../engine/checkpoint';
import { parseEncoding, readCorpus, type Corpus, type CorpusOptions } from '../engine/corpus';
import { FolioError, ioError } from '../engine/errors';
import { countParams } from '../engine/model';
import type { Session } from '../engine/session';
import { train } from '../engine/train';
import { numberFlag, optionsFor, parseFlags, requireString, settingFlag, stringFlag } from './args';
import { openSession, type SessionRequest } from './open-session';
import { log, onOutputClosed, outLine } from './output';
import type { Flags } from './args';
import { duration, fields, progressLine, thousands } from './format';

export const TRAIN_HELP = `Usage: npm run cli -- train --corpus FILE [options]

Trains a character-level GRU on a text file and saves a .ckpt checkpoint (at every
evaluation, at the end, and when stopped with Ctrl-C).

  --corpus FILE          text file to learn (UTF-8 unless --encoding says otherwise)
  --out FILE.ckpt        where to save (default: the corpus name + .ckpt)
  --resume FILE.ckpt     continue training a checkpoint (model settings come from it)
  --force                overwrite --out if it exists and is not the --resume file
  --extend-vocab         with --resume: append characters the model lacks to its
                         vocabulary (existing characters keep their indices)
${[...MODEL_FIELDS, ...TRAIN_FIELDS].map(flagHelp).join('\n')}
  --epochs N             train for N passes over the training split (instead of --steps)
  --log-every N          steps between progress lines (default 10)
  --backend NAME         auto (default), native, wasm or cpu
  --encoding NAME        utf-8 (default) or windows-1252 (latin1)
  --keep-line-endings    keep CRLF/CR instead of turning them into LF`;

function flagHelp(name: SettingName): string {
  const spec = SETTINGS[name];
  const defaults: Record<string, number> = { ...DEFAULT_MODEL, ...DEFAULT_TRAIN };
  const words = `${spec.help} (default ${defaults[name]})`.split(' ');
  // Wrapped to 88 columns, continuation lines under the first word of the help.
  const lines = [`  ${`${spec.flag} N`.padEnd(22)}`];
  for (const word of words) {
    if (`${lines[lines.length - 1]} ${word}`.length > 88) lines.push(' '.repeat(24));
    lines[lines.length - 1] += ` ${word}`;
  }
  return lines.join('\n');
}

/** Everything the command line asked for, checked before any slow work. */
interface TrainRequest extends SessionRequest {
  corpusPath: string;
  corpusOptions: CorpusOptions;
  outPath: string;
  logEvery: number;
  backend: ReturnType<typeof parseBackend>;
}

export async function trainCommand(argv: string[]): Promise<number> {
  const names = ['corpus', 'out', 'resume', 'epochs', 'log-every', 'backend', 'encoding'];
  const settingNames = [...MODEL_FIELDS, ...TRAIN_FIELDS].map((n) => SETTINGS[n].flag.slice(2));
  const switches = ['force', 'keep-line-endings', 'extend-vocab'];
  const { flags } = parseFlags(argv, optionsFor([...names, ...settingNames], switches), 'train');
  if (flags['help']) {
    outLine(TRAIN_HELP);
    return 0;
  }
  const request = parseRequest(flags);

  const backend = await initBackend(request.backend);
  const skipped = backend.skipped.length ? `; skipped ${backend.skipped.join('; ')}` : '';
  log(`backend: ${backend.label} (${backend.name})${skipped}`);
  const corpus = await readCorpus(request.corpusPath, request.corpusOptions);
  const converted = corpus.newlinesNormalized;
  log(
    `corpus: ${corpus.name}, ${thousands(corpus.ids.length)} characters, ` +
      `vocabSize ${corpus.vocab.size}` +
      (converted > 0
        ? `; turned ${thousands(converted)} CRLF/CR line endings into LF ` +
          '(--keep-line-endings keeps them)'
        : ''),
  );
  const session = await openSession(request, corpus);
  try {
    const settings = session.training.settings;
    log(`model: ${fields(session.config)}, ${thousands(countParams(session.config))} parameters`);
    log(`training: ${fields(settings)}`);
    log(`saving to ${request.outPath}; Ctrl-C stops and saves`);
    return await runWithProgress(session, corpus, request, backend.name);
  } finally {
    session.dispose();
  }
}

function parseRequest(flags: Flags): TrainRequest {
  const logEvery = positiveInteger(flags, 'log-every') ?? 10;
  const model = pick(flags, MODEL_FIELDS);
  const settings = pick(flags, TRAIN_FIELDS);
  const epochs = numberFlag(flags, 'epochs');
  if (epochs !== undefined && (!(epochs > 0) || epochs > 1e6)) {
    throw new FolioError(`--epochs must be a number above 0, got ${epochs}.`, 'invalid-setting');
  }
  if (epochs !== undefined && settings.steps !== undefined) {
    throw new FolioError('Give --steps or --epochs, not both.', 'invalid-setting');
  }
  const corpusPath = requireString(flags, 'corpus', 'the text file to train on');
  const resumePath = stringFlag(flags, 'resume');
  const extendVocab = flags['extend-vocab'] === true;
  if (extendVocab && !resumePath) {
    throw new FolioError(
      '--extend-vocab grows the vocabulary of a model being resumed; use it with --resume ' +
        '(a new model takes its vocabulary from the corpus anyway).',
      'invalid-setting',
    );
  }
  if (resumePath && Object.keys(model).length > 0) {
    const given = Object.keys(model).map((n) => SETTINGS[n as SettingName].flag);
    throw new FolioError(
      `The model's shape comes from ${basename(resumePath)}; drop ${given.join(', ')} ` +
        'when resuming.',
      'invalid-setting',
    );
  }
  // Resuming saves back into the checkpoint it came from unless told otherwise.
  const defaultOut = resumePath ?? `${basename(corpusPath, extname(corpusPath))}.ckpt`;
  const outPath = resolve(stringFlag(flags, 'out') ?? defaultOut);
  if (outPath === resolve(corpusPath)) {
    throw new FolioError(`--out ${outPath} is the corpus itself; choose another name.`);
  }
  const resumingOut = resumePath !== undefined && resolve(resumePath) === outPath;
  checkOutPath(outPath, flags['force'] === true || resumingOut);
  return {
    corpusPath,
    corpusOptions: {
      encoding: parseEncoding(stringFlag(flags, 'encoding') ?? 'utf-8'),
      normalizeNewlines: !flags['keep-line-endings'],
    },
    outPath,
    ...(resumePath ? { resumePath } : {}),
    extendVocab,
    model,
    settings,
    ...(epochs !== undefined ? { epochs } : {}),
    logEvery,
    backend: parseBackend(stringFlag(flags, 'backend') ?? 'auto'),
  };
}

/**
 * Trains with a progress line every logEvery steps (and at each valLoss), saving at every
 * evaluation and at the end. The first Ctrl-C stops after the current step and saves; a
 * second quits at once, leaving the last saved checkpoint as it was.
 */
async function runWithProgress(
  session: Session,
  corpus: Corpus,
  request: TrainRequest,
  backend: string,
): Promise<number> {
  const { outPath, logEvery } = request;
  const settings = session.training.settings;
  let stopRequested = 0; // when the first stop request came, ms
  let saved = false;
  const onSigint = () => {
    // One Ctrl-C can arrive twice: from the terminal and relayed by npm. Only a second
    // press, a moment later, means "quit now". Signals are handled between the parts of a
    // step, so presses made while one computes arrive together and count as one: the
    // message below asks for the second press after it has appeared.
    if (stopRequested && performance.now() - stopRequested > 1000) {
      const kept = saved ? `the last saved checkpoint, ${outPath}, is intact` : 'nothing saved';
      log(`second Ctrl-C: quitting without saving (${kept})`);
      process.exit(130);
    }
    if (stopRequested) return;
    stopRequested = performance.now();
    log('stopping after this step and saving… (Ctrl-C again now to quit without saving)');
  };
  onOutputClosed(() => {
    stopRequested ||= performance.now();
    log('standard output closed: stopping after this step and saving…');
  });
  const save = async () => {
    try {
      await saveCheckpoint(outPath, session.toCheckpoint(backend));
    } catch (err) {
      // A save can fail minutes into a run (the disk filled up): say what became of it.
      if (err instanceof FolioError && err.code === 'io') {
        err.message += ` Training stopped at step ${session.training.step} without saving it.`;
      }
      throw err;
    }
    saved = true;
  };
  let lastEval: EvalEvent | undefined;
  let pending: StepEvent | undefined; // a step whose valLoss is about to arrive
  const onEvent = (event: TrainEvent) => {
    if (event.type === 'step') {
      const evalPoint = event.step % settings.evalEvery === 0 || event.step === settings.steps;
      if (evalPoint && settings.valFraction > 0) pending = event;
      else if (evalPoint || event.step % logEvery === 0 || event.step === 1) {
        outLine(progressLine(event));
      }
    } else if (event.type === 'eval') {
      lastEval = event;
      if (pending) outLine(progressLine(pending, event));
      pending = undefined;
    }
  };

  process.on('SIGINT', onSigint);
  try {
    const hooks = { onEvent, shouldStop: () => stopRequested > 0, afterEval: save, backend };
    const done = await train(session, corpus, hooks);
    if (pending) outLine(progressLine(pending));
    if (done.reason === 'diverged') {
      log(done.message ?? 'training diverged');
      log(saved ? `The last good checkpoint is ${outPath}.` : 'No checkpoint was written.');
      return 1;
    }
    await save();
    const best = session.training.bestValLoss;
    const losses = lastEval
      ? `valLoss ${lastEval.valLoss.toFixed(4)}, best ${best?.toFixed(4)}; `
      : '';
    log(
      `${done.reason} at step ${done.step} after ${duration(session.training.elapsedSec)}; ` +
        `${losses}saved ${outPath}`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Finds a bad --out now rather than at the first save, minutes into training: it must be a
 * new or regular file (never a folder or a device) in a folder this process can write.
 */
function checkOutPath(outPath: string, mayReplace: boolean): void {
  const existing = statSync(outPath, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new FolioError(`--out ${outPath} is a folder; give a file name such as model.ckpt.`);
  }
  if (existing && !existing.isFile()) {
    throw new FolioError(`--out ${outPath} is not a regular file; choose another name.`);
  }
  if (existing && !mayReplace) {
    throw new FolioError(
      `${outPath} already exists; choose another --out, resume it with --resume, ` +
        'or pass --force to overwrite it.',
    );
  }
  const probe = join(dirname(outPath), `.folio-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
    unlinkSync(probe);
  } catch (err) {
    throw ioError(err, outPath, 'save the checkpoint', true);
  }
}

function positiveInteger(flags: Flags, flag: string): number | undefined {
  const value = numberFlag(flags, flag);
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new FolioError(`--${flag} must be a whole number of at least 1, got ${value}.`);
  }
  return value;
}

function pick<K extends SettingName>(flags: Flags, names: readonly K[]) {
  const out: Partial<Record<K, number>> = {};
  for (const name of names) {
    const value = settingFlag(flags, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
