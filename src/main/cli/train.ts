/** `folio train`: train a new model, or resume one, printing a progress line per report. */
import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { EvalEvent, TrainEvent } from '../../shared/events';
import {
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  SETTINGS,
  type SettingName,
  type TrainSettings,
} from '../../shared/settings';
import { initBackend, parseBackend } from '../engine/backend';
import { splitCorpus, checkSplitFits, TrainBatches } from '../engine/batches';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint';
import { parseEncoding, readCorpus } from '../engine/corpus';
import { FolioError } from '../engine/errors';
import { countParams } from '../engine/model';
import { Session } from '../engine/session';
import { train } from '../engine/train';
import {
  numberFlag,
  optionsFor,
  parseFlags,
  settingFlag,
  stringFlag,
  requireString,
  type Flags,
} from './args';
import { duration, progressLine, thousands } from './format';

const MODEL_FLAGS = ['embedSize', 'hiddenSize', 'numLayers', 'dropout'] as const;
const TRAIN_FLAGS = [
  'seqLen',
  'batchSize',
  'lr',
  'clip',
  'steps',
  'valFraction',
  'evalEvery',
  'seed',
] as const;

export const TRAIN_HELP = `Usage: npm run cli -- train --corpus FILE [options]

Trains a character-level GRU on a text file and saves a .ckpt checkpoint (at every
evaluation, at the end, and when stopped with Ctrl-C).

  --corpus FILE          text file to learn (UTF-8 unless --encoding says otherwise)
  --out FILE.ckpt        where to save (default: the corpus name + .ckpt)
  --resume FILE.ckpt     continue training a checkpoint (model settings come from it)
  --force                overwrite --out if it exists and is not the --resume file
${[...MODEL_FLAGS, ...TRAIN_FLAGS].map(flagHelp).join('\n')}
  --epochs N             train for N passes over the training split (instead of --steps)
  --log-every N          steps between progress lines (default 10)
  --backend NAME         auto (default), native, wasm or cpu
  --encoding NAME        utf-8 (default) or windows-1252 (latin1)
  --keep-line-endings    keep CRLF/CR instead of turning them into LF`;

function flagHelp(name: SettingName): string {
  const spec = SETTINGS[name];
  const fallback =
    name in DEFAULT_MODEL
      ? DEFAULT_MODEL[name as keyof typeof DEFAULT_MODEL]
      : DEFAULT_TRAIN[name as keyof TrainSettings];
  return `  ${`${spec.flag} N`.padEnd(22)} ${spec.help} (default ${fallback})`;
}

export async function trainCommand(argv: string[]): Promise<number> {
  const names = ['corpus', 'out', 'resume', 'epochs', 'log-every', 'backend', 'encoding'];
  const settingNames = [...MODEL_FLAGS, ...TRAIN_FLAGS].map((n) => SETTINGS[n].flag.slice(2));
  const { flags } = parseFlags(
    argv,
    optionsFor([...names, ...settingNames], ['force', 'keep-line-endings']),
    'train',
  );
  if (flags['help']) {
    console.log(TRAIN_HELP);
    return 0;
  }
  // Check every number before any slow work, so a typo fails in milliseconds.
  const modelFlags = pick(flags, MODEL_FLAGS);
  const trainFlags = pick(flags, TRAIN_FLAGS);
  const epochs = numberFlag(flags, 'epochs');
  if (epochs !== undefined && (!(epochs > 0) || epochs > 1e6)) {
    throw new FolioError(`--epochs must be a number above 0, got ${epochs}.`, 'invalid-setting');
  }
  if (epochs !== undefined && trainFlags.steps !== undefined) {
    throw new FolioError('Give --steps or --epochs, not both.', 'invalid-setting');
  }
  const logEvery = Math.max(1, Math.floor(numberFlag(flags, 'log-every') ?? 10));
  const corpusPath = requireString(flags, 'corpus', 'the text file to train on');
  const resumePath = stringFlag(flags, 'resume');
  if (resumePath && Object.keys(modelFlags).length > 0) {
    throw new FolioError(
      `The model's shape comes from ${basename(resumePath)}; drop ${Object.keys(modelFlags)
        .map((n) => SETTINGS[n as SettingName].flag)
        .join(', ')} when resuming.`,
      'invalid-setting',
    );
  }
  const outPath = resolve(
    stringFlag(flags, 'out') ?? `${basename(corpusPath, extname(corpusPath))}.ckpt`,
  );
  if (outPath === resolve(corpusPath)) {
    throw new FolioError(
      `--out ${outPath} is the corpus itself; choose another file name.`,
      'invalid-input',
    );
  }
  if (existsSync(outPath) && !flags['force'] && (!resumePath || resolve(resumePath) !== outPath)) {
    throw new FolioError(
      `${outPath} already exists; choose another --out, resume it with --resume, or pass --force to overwrite it.`,
      'invalid-input',
    );
  }
  const encoding = parseEncoding(stringFlag(flags, 'encoding') ?? 'utf-8');
  const backendChoice = parseBackend(stringFlag(flags, 'backend') ?? 'auto');

  const backend = await initBackend(backendChoice);
  log(
    `backend: ${backend.label} (${backend.name})${backend.skipped.length ? `; skipped ${backend.skipped.join('; ')}` : ''}`,
  );
  const corpus = await readCorpus(corpusPath, {
    encoding,
    normalizeNewlines: !flags['keep-line-endings'],
  });
  log(
    `corpus: ${corpus.name}, ${thousands(corpus.ids.length)} characters, vocabSize ${corpus.vocab.size}` +
      (corpus.newlinesNormalized > 0
        ? `; turned ${thousands(corpus.newlinesNormalized)} CRLF/CR line endings into LF (--keep-line-endings keeps them)`
        : ''),
  );

  let session: Session;
  if (resumePath) {
    const ckpt = await loadCheckpoint(resumePath);
    session = Session.fromCheckpoint(ckpt);
    Object.assign(session.training.settings, trainFlags);
    log(`resuming ${basename(resumePath)} at step ${session.training.step}`);
  } else {
    const settings: TrainSettings = { ...DEFAULT_TRAIN, ...trainFlags };
    session = Session.create(corpus, { ...DEFAULT_MODEL, ...modelFlags }, settings);
  }
  const settings = session.training.settings;
  if (epochs !== undefined) {
    const split = splitCorpus(corpus.ids, settings.valFraction);
    checkSplitFits(split, settings.batchSize, settings.seqLen, settings.valFraction);
    settings.steps = Math.max(
      1,
      Math.round(
        epochs *
          new TrainBatches(split.train, settings.batchSize, settings.seqLen, settings.seed)
            .stepsPerEpoch,
      ),
    );
  }
  if (settings.steps <= session.training.step) {
    throw new FolioError(
      `The checkpoint has already taken ${session.training.step} steps; ask for more with --steps (a total, e.g. --steps ${session.training.step + 1000}).`,
      'invalid-setting',
    );
  }
  const { embedSize, hiddenSize, numLayers, dropout } = session.config;
  log(
    `model: embedSize ${embedSize}, hiddenSize ${hiddenSize}, numLayers ${numLayers}, dropout ${dropout}, ` +
      `${thousands(countParams(session.config))} parameters`,
  );
  log(
    `training: seqLen ${settings.seqLen}, batchSize ${settings.batchSize}, lr ${settings.lr}, clip ${settings.clip}, ` +
      `steps ${settings.steps}, valFraction ${settings.valFraction}, evalEvery ${settings.evalEvery}, seed ${settings.seed}`,
  );
  log(`saving to ${outPath}; Ctrl-C stops and saves`);

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) {
      log('second Ctrl-C: quitting without saving (the last saved checkpoint is intact)');
      process.exit(130);
    }
    stopRequested = true;
    log('stopping after this step and saving… (Ctrl-C again to quit without saving)');
  };
  process.on('SIGINT', onSigint);
  let saved = false;
  const save = async () => {
    await saveCheckpoint(outPath, session.toCheckpoint(backend.name));
    saved = true;
  };
  let lastEval: EvalEvent | undefined;
  const onEvent = (event: TrainEvent) => {
    if (event.type === 'eval') lastEval = event;
    if (event.type === 'step') {
      const evalNow = event.step % settings.evalEvery === 0 || event.step === settings.steps;
      // The eval event for this step follows the step event; print both on one line then.
      if (!evalNow && (event.step % logEvery === 0 || event.step === 1))
        console.log(progressLine(event));
      if (evalNow) pendingStep = event;
    }
    if (event.type === 'eval' && pendingStep) {
      console.log(progressLine(pendingStep, event));
      pendingStep = undefined;
    }
  };
  let pendingStep: Extract<TrainEvent, { type: 'step' }> | undefined;
  try {
    const done = await train(session, corpus, {
      onEvent,
      shouldStop: () => stopRequested,
      afterEval: save,
      backend: backend.name,
    });
    if (pendingStep) console.log(progressLine(pendingStep));
    if (done.reason === 'diverged') {
      log(done.message ?? 'training diverged');
      log(saved ? `The last good checkpoint is ${outPath}.` : 'No checkpoint was written.');
      return 1;
    }
    await save();
    const best = session.training.bestValLoss;
    log(
      `${done.reason === 'stopped' ? 'stopped' : 'finished'} at step ${done.step} after ` +
        `${duration(session.training.elapsedSec)}; ${lastEval ? `valLoss ${lastEval.valLoss.toFixed(4)}, best ${best?.toFixed(4)}; ` : ''}` +
        `saved ${outPath}`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    session.dispose();
  }
}

function pick<K extends SettingName>(
  flags: Flags,
  names: readonly K[],
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const name of names) {
    const value = settingFlag(flags, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function log(line: string): void {
  console.error(line);
}
