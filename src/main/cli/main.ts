/**
 * Folio's command line: train, generate, info, eval. Runs the same engine as the app, in
 * this process. Every expected problem ends as one line on stderr and exit code 1 (2 for
 * usage); only a bug prints a stack trace, and only with FOLIO_DEBUG=1.
 */
import { FolioError } from '../engine/errors';
import { outLine } from './output';
import { evalCommand, EVAL_HELP } from './eval';
import { generateCommand, GENERATE_HELP } from './generate';
import { infoCommand, INFO_HELP } from './info';
import { trainCommand, TRAIN_HELP } from './train';

const COMMANDS: Record<string, [(argv: string[]) => Promise<number>, string]> = {
  train: [trainCommand, TRAIN_HELP],
  generate: [generateCommand, GENERATE_HELP],
  info: [infoCommand, INFO_HELP],
  eval: [evalCommand, EVAL_HELP],
};

const USAGE = `Folio: train character-level GRU language models and generate text.

Usage: npm run cli -- COMMAND [options]     (COMMAND --help for its options)

  train     --corpus FILE [--out FILE.ckpt]   train a model (or --resume one)
  generate  --checkpoint FILE.ckpt            write new text
  info      FILE.ckpt                          show what a checkpoint holds
  eval      --checkpoint FILE --corpus FILE   loss on a text, nats and bits per character`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    outLine(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(
      `folio: unknown command "${name}"; use one of ${Object.keys(COMMANDS).join(', ')}.`,
    );
    return 2;
  }
  return command[0](rest);
}

function report(err: unknown): void {
  if (err instanceof FolioError) {
    console.error(`folio: ${err.message}`);
  } else {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    console.error(`folio: unexpected error: ${message}`);
    if (process.env['FOLIO_DEBUG']) console.error(err);
    else console.error('(run with FOLIO_DEBUG=1 for details, and please report it)');
  }
  process.exitCode = 1;
}

// `npm run` starts commands in the project folder; npm records where the user was in
// INIT_CWD, and relative paths (corpus, --out) should mean what they mean there.
const userFolder = process.env['INIT_CWD'];
if (userFolder && process.env['npm_lifecycle_event'] === 'cli') process.chdir(userFolder);

process.on('uncaughtException', (err) => {
  report(err);
  process.exit(1);
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, report);
