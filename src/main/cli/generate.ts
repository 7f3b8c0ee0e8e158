/** `folio generate`: stream text from a checkpoint to stdout. */
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import { initBackend, parseBackend } from '../engine/backend';
import { loadCheckpoint } from '../engine/checkpoint';
import { decodeText, firstInvalidUtf8, readTextFile } from '../engine/corpus';
import { FolioError } from '../engine/errors';
import { generate } from '../engine/generate';
import { DEFAULT_SAMPLE } from '../engine/sampler';
import { Session } from '../engine/session';
import { numberFlag, optionsFor, parseFlags, requireString, stringFlag } from './args';
import { out, outLine } from './output';

export const GENERATE_HELP = `Usage: npm run cli -- generate --checkpoint FILE.ckpt [options]

Writes new text to stdout as it is produced.

  --length N        new characters to write, not counting the prime (default 500)
  --temperature T   0 is greedy (argmax); 0.01-1 is useful, 0.5-1 reads best
                    (default ${DEFAULT_SAMPLE.temperature})
  --top-k K         draw only from the K most likely characters; 0 = no limit (default 0)
  --top-p P         draw only from the most likely characters totalling P; 1 = no limit (default 1)
  --prime TEXT      text to continue (default: start of a line)
  --prime-file FILE read the text to continue from a UTF-8 file (up to 1 MB)
  --drop-unknown    skip prime characters the model never saw instead of refusing
  --seed N          repeat an earlier output (default: random, printed to stderr)
  --backend NAME    auto (default), native, wasm or cpu`;

export async function generateCommand(argv: string[]): Promise<number> {
  const names = [
    'checkpoint',
    'length',
    'temperature',
    'top-k',
    'top-p',
    'prime',
    'prime-file',
    'seed',
    'backend',
  ];
  const { flags, positionals } = parseFlags(
    argv,
    optionsFor(names, ['drop-unknown']),
    'generate',
    1,
  );
  if (flags['help']) {
    outLine(GENERATE_HELP);
    return 0;
  }
  const path =
    stringFlag(flags, 'checkpoint') ??
    positionals[0] ??
    requireString(flags, 'checkpoint', 'the .ckpt file to sample from');
  const seed = numberFlag(flags, 'seed') ?? randomInt(2 ** 32 - 1);
  const options = {
    length: numberFlag(flags, 'length') ?? 500,
    temperature: numberFlag(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
    topK: numberFlag(flags, 'top-k') ?? DEFAULT_SAMPLE.topK,
    topP: numberFlag(flags, 'top-p') ?? DEFAULT_SAMPLE.topP,
    // An empty prime is a prime: start of a line, as with none.
    prime: typeof flags['prime'] === 'string' ? flags['prime'] : '',
    seed,
    dropUnknown: flags['drop-unknown'] === true,
  };
  const backendChoice = parseBackend(stringFlag(flags, 'backend') ?? 'auto');
  const primeFile = stringFlag(flags, 'prime-file');
  if (primeFile !== undefined && flags['prime'] !== undefined) {
    throw new FolioError('Give either --prime or --prime-file, not both.');
  }
  const ckpt = await loadCheckpoint(path);
  if (primeFile !== undefined) options.prime = await readPrime(primeFile);
  // The model saw LF line ends if its corpus was normalised, so the prime gets the same.
  if (ckpt.corpus.normalizeNewlines) options.prime = options.prime.replace(/\r\n?/g, '\n');
  await initBackend(backendChoice);
  const session = Session.fromCheckpoint(ckpt);
  try {
    const chars = generate(session, options);
    // Pull the first character before writing anything, so a bad prime fails cleanly.
    const first = await chars.next();
    if (flags['seed'] === undefined && options.temperature > 0) console.error(`seed: ${seed}`);
    // The prime as the model read it: without the characters --drop-unknown dropped.
    const prime = [...options.prime].filter((ch) => session.vocab.has(ch)).join('');
    let buffer = prime + (first.done ? '' : first.value);
    for await (const ch of chars) {
      buffer += ch;
      if (buffer.length >= 64 || ch === '\n') {
        out(buffer);
        buffer = '';
      }
    }
    out(buffer + (process.stdout.isTTY ? '\n' : ''));
    return 0;
  } finally {
    session.dispose();
  }
}

/** Most a prime file may hold: feeding it runs the network once per character. */
const MAX_PRIME_BYTES = 2 ** 20;

/** A prime from a file, read as strictly as a corpus (UTF-8, no binary). */
async function readPrime(path: string): Promise<string> {
  const bytes = await readTextFile(path, 'the prime file', MAX_PRIME_BYTES, (size) => {
    throw new FolioError(
      `${path} is ${size} bytes; a prime file may hold up to 1 MB. Use its last part.`,
    );
  });
  if (bytes.length === 0) {
    throw new FolioError(`${path} is empty; put the text to continue in it, or drop --prime-file.`);
  }
  // Checked here first: decodeText's advice (--encoding) is a train option.
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    throw new FolioError(`${path} is not valid UTF-8 (offset ${bad}); re-save it as UTF-8.`);
  }
  return decodeText(bytes, basename(path), 'utf-8');
}
