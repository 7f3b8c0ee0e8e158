/** `folio eval`: a checkpoint's loss on any text, in nats and bits per character. */
import { initBackend, parseBackend } from '../engine/backend';
import { loadCheckpoint } from '../engine/checkpoint';
import { parseEncoding, readCorpus } from '../engine/corpus';
import { evaluateLoss } from '../engine/evaluate';
import { FolioError } from '../engine/errors';
import { Session } from '../engine/session';
import { optionsFor, parseFlags, requireString, stringFlag } from './args';
import { outLine } from './output';
import { LN2, thousands } from './format';

export const EVAL_HELP = `Usage: npm run cli -- eval --checkpoint FILE.ckpt --corpus FILE [options]

Prints the model's mean loss over the whole text (windows of the checkpoint's seqLen).

  --encoding NAME       utf-8 (default) or windows-1252 (latin1)
  --keep-line-endings   keep CRLF/CR instead of turning them into LF
  --backend NAME        auto (default), native, wasm or cpu`;

export async function evalCommand(argv: string[]): Promise<number> {
  const options = optionsFor(
    ['checkpoint', 'corpus', 'encoding', 'backend'],
    ['keep-line-endings'],
  );
  const { flags } = parseFlags(argv, options, 'eval');
  if (flags['help']) {
    outLine(EVAL_HELP);
    return 0;
  }
  const ckptPath = requireString(flags, 'checkpoint', 'the .ckpt file to evaluate');
  const corpusPath = requireString(flags, 'corpus', 'the text to evaluate on');
  const encoding = parseEncoding(stringFlag(flags, 'encoding') ?? 'utf-8');
  const backendChoice = parseBackend(stringFlag(flags, 'backend') ?? 'auto');
  const ckpt = await loadCheckpoint(ckptPath);
  const corpus = await readCorpus(corpusPath, {
    encoding,
    normalizeNewlines: !flags['keep-line-endings'],
  });
  await initBackend(backendChoice);
  const session = Session.fromCheckpoint(ckpt);
  try {
    const ids = session.encodeCorpus(corpus);
    const { seqLen, batchSize } = ckpt.training.settings;
    if (ids.length < seqLen + 1) {
      throw new FolioError(
        `${corpus.name} has ${ids.length} characters, shorter than one window of ` +
          `${seqLen + 1} (the checkpoint's seqLen + 1); evaluate on a longer text.`,
      );
    }
    const { loss, chars } = await evaluateLoss(
      session.params,
      session.config,
      ids,
      seqLen,
      batchSize,
    );
    const bits = (loss / LN2).toFixed(4);
    const where = `${thousands(chars)} characters of ${corpus.name}`;
    outLine(`loss ${loss.toFixed(4)} nats/char (${bits} bits/char) over ${where}`);
    return 0;
  } finally {
    session.dispose();
  }
}
