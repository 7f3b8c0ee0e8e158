/** `folio info`: what a checkpoint holds, without loading a backend. */
import { stat } from 'node:fs/promises';
import { loadCheckpoint, FORMAT_VERSION } from '../engine/checkpoint';
import { countParams } from '../engine/model';
import { showChar } from '../../shared/chars';
import { MODEL_FIELDS, TRAIN_FIELDS } from '../../shared/settings';
import { optionsFor, parseFlags } from './args';
import { outLine } from './output';
import { duration, fields, thousands } from './format';
import { FolioError } from '../engine/errors';

export const INFO_HELP = `Usage: npm run cli -- info FILE.ckpt

Prints a checkpoint's model config, vocabulary, training settings, steps and losses.`;

export async function infoCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, optionsFor([]), 'info', 1);
  if (flags['help']) {
    outLine(INFO_HELP);
    return 0;
  }
  const path = positionals[0];
  if (!path)
    throw new FolioError('Name the checkpoint: npm run cli -- info FILE.ckpt', 'invalid-input');
  const ckpt = await loadCheckpoint(path);
  const { config, training: t, corpus } = ckpt;
  const last = <T>(items: T[]): T | undefined => items[items.length - 1];
  // In the settings table's order, whatever order the file's JSON had.
  const model = Object.fromEntries(MODEL_FIELDS.map((name) => [name, config[name]]));
  const settings = Object.fromEntries(
    TRAIN_FIELDS.filter((name) => name !== 'steps').map((name) => [name, t.settings[name]]),
  );
  const vocab = ckpt.vocab.map(showChar);
  const lastTrain = last(t.trainLoss)?.[1].toFixed(4) ?? '-';
  const lastVal = last(t.valLoss)?.[1].toFixed(4) ?? '-';
  const size = thousands((await stat(path)).size);
  const lines = [
    `file          ${path} (${size} bytes, format ${FORMAT_VERSION})`,
    `model         ${fields(model)}`,
    `parameters    ${thousands(countParams(config))}`,
    `vocabSize     ${config.vocabSize}: ${vocab.join(' ')}`,
    `corpus        ${corpus.name} (${thousands(corpus.chars)} characters, ${corpus.encoding}, ` +
      `sha256 ${corpus.sha256.slice(0, 16)}…)`,
    `training      step ${t.step} of ${t.settings.steps}, ${duration(t.elapsedSec)} on ` +
      `${ckpt.backend}`,
    `settings      ${fields(settings)}`,
    `trainLoss     ${lastTrain} (last)`,
    `valLoss       ${lastVal} (last), ${t.bestValLoss?.toFixed(4) ?? '-'} (best)`,
    `optimizer     ${ckpt.adam ? `Adam, ${ckpt.adam.step} steps` : 'none (weights only)'}`,
    `saved         ${ckpt.createdAt}`,
  ];
  outLine(lines.join('\n'));
  return 0;
}
