/**
 * Turning a text file into training data: bytes -> strict decode -> newline normalisation
 * -> code-point vocabulary -> index array. Every refusal names the problem and the fix.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { FolioError, ioError } from './errors';
import { describeChar } from '../../shared/chars';
import { Vocabulary } from './vocab';

export type Encoding = 'utf-8' | 'windows-1252';

/** Text, index array and vocabulary take about 10 bytes of memory per character. */
export const MAX_CORPUS_BYTES = 512 * 2 ** 20;

export interface CorpusOptions {
  /** 'utf-8' (strict; the default) or 'windows-1252' (also taken for 'latin1'/'cp1252'). */
  encoding?: Encoding;
  /** Turn CRLF and lone CR into LF. Default true. */
  normalizeNewlines?: boolean;
}

export interface Corpus {
  name: string;
  text: string;
  /** SHA-256 of the file's bytes, hex: ties a checkpoint to the exact corpus it saw. */
  sha256: string;
  bytes: number;
  encoding: Encoding;
  normalizeNewlines: boolean;
  /** How many CRLF or lone CR line endings were turned into LF. */
  newlinesNormalized: number;
  vocab: Vocabulary;
  /** The text as vocabulary indices, one per code point. */
  ids: Int32Array;
}

export function parseEncoding(name: string): Encoding {
  const key = name.trim().toLowerCase().replace(/_/g, '-');
  if (key === 'utf-8' || key === 'utf8') return 'utf-8';
  if (['windows-1252', 'cp1252', 'latin1', 'latin-1', 'iso-8859-1'].includes(key)) {
    return 'windows-1252';
  }
  throw new FolioError(`Unknown encoding "${name}"; use utf-8 or windows-1252 (latin1).`);
}

/** Reads and checks a corpus file; throws FolioError with a one-line reason on any problem. */
export async function readCorpus(path: string, options: CorpusOptions = {}): Promise<Corpus> {
  const bytes = await readTextFile(path, 'the corpus', MAX_CORPUS_BYTES, (size) => {
    throw new FolioError(
      `${path} is ${(size / 2 ** 20).toFixed(0)} MB; Folio reads corpora up to ` +
        `${MAX_CORPUS_BYTES / 2 ** 20} MB. Train on a part of it.`,
      'bad-corpus',
    );
  });
  return corpusFromBytes(bytes, basename(path), options);
}

/**
 * The bytes of a regular file of at most `maxBytes` (`tooBig` says why not otherwise), or a
 * one-line FolioError naming `what` could not be read and why.
 */
export async function readTextFile(
  path: string,
  what: string,
  maxBytes: number,
  tooBig: (size: number) => never,
): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new FolioError(`${path} is a folder; give the path of a text file inside it.`, 'io');
    }
    if (!info.isFile()) {
      throw new FolioError(`${path} is not a regular file; save the text to a file first.`, 'io');
    }
    if (info.size > maxBytes) tooBig(info.size);
    return await readFile(path);
  } catch (err) {
    if (err instanceof FolioError) throw err;
    throw ioError(err, path, `read ${what}`);
  }
}

export function corpusFromBytes(
  bytes: Uint8Array,
  name: string,
  options: CorpusOptions = {},
): Corpus {
  const encoding = options.encoding ?? 'utf-8';
  const normalizeNewlines = options.normalizeNewlines ?? true;
  let text = decodeText(bytes, name, encoding);
  let newlinesNormalized = 0;
  if (normalizeNewlines) {
    text = text.replace(/\r\n?/g, () => {
      newlinesNormalized++;
      return '\n';
    });
  }
  const vocab = Vocabulary.fromText(text);
  if (vocab.size < 2) {
    const only = vocab.size === 1 ? ` (only ${describeChar(vocab.chars[0]!)})` : '';
    throw new FolioError(
      `${name} has ${vocab.size} distinct character(s)${only}; there is nothing to learn. ` +
        `Choose a text with varied characters, ideally 100 KB or more.`,
      'bad-corpus',
    );
  }
  return {
    name,
    text,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    encoding,
    normalizeNewlines,
    newlinesNormalized,
    vocab,
    ids: vocab.encode(text),
  };
}

/** Decodes strictly: refuses empty, UTF-16 and binary files, and names the first bad byte. */
export function decodeText(bytes: Uint8Array, name: string, encoding: Encoding): string {
  if (bytes.length === 0) {
    throw new FolioError(
      `${name} is empty; choose a text file with some writing in it.`,
      'bad-corpus',
    );
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new FolioError(
      `${name} is UTF-16 text; save it as UTF-8 (any text editor's "Save as" can) and try again.`,
      'bad-corpus',
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0 && looksUtf16(bytes)) {
    throw new FolioError(
      `${name} looks like UTF-16 text (every other byte is zero); save it as UTF-8 (any text ` +
        `editor's "Save as" can) and try again.`,
      'bad-corpus',
    );
  }
  if (nul >= 0) {
    throw new FolioError(
      `${name} looks binary (a zero byte at offset ${nul}); Folio trains on plain text files ` +
        `such as .txt. Export the text first.`,
      'bad-corpus',
    );
  }
  if (encoding === 'windows-1252') {
    // Read as Windows-1252, a UTF-8 byte-order mark would become three stray characters.
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      throw new FolioError(
        `${name} starts with a UTF-8 byte-order mark, so it is UTF-8 text; read it without ` +
          '--encoding windows-1252 (UTF-8 is the default).',
        'bad-corpus',
      );
    }
    return decodeWindows1252(bytes);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const shown = `0x${bytes[bad]!.toString(16).padStart(2, '0').toUpperCase()}`;
    throw new FolioError(
      `${name} is not valid UTF-8: byte ${shown} at offset ${bad}. If it was saved by an older ` +
        `Windows or Mac program, try --encoding windows-1252; otherwise re-save it as UTF-8.`,
      'bad-corpus',
    );
  }
  // ignoreBOM false (the default) drops a leading byte-order mark, as editors do.
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * UTF-16 without a byte-order mark: in Latin-script text one byte of each pair is zero.
 * Judged on the first 4 KB: most bytes on one side of the pairs zero, few on the other.
 */
function looksUtf16(bytes: Uint8Array): boolean {
  const zeros = [0, 0];
  const n = Math.min(bytes.length, 4096) & ~1;
  for (let i = 0; i < n; i++) if (bytes[i] === 0) zeros[i & 1]!++;
  const pairs = n / 2;
  return pairs >= 2 && Math.max(...zeros) >= 0.6 * pairs && Math.min(...zeros) <= 0.05 * pairs;
}

/** Code points of bytes 0x80-0x9F in Windows-1252; the five unassigned bytes map to C1 controls. */
// prettier-ignore
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
  0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
  0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

/**
 * Windows-1252, written out: Node's TextDecoder('windows-1252') decodes 0x80-0x9F as
 * Latin-1 control characters (0x92 becomes U+0092, not the apostrophe U+2019).
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += 8192) {
    const codes = Array.from(bytes.subarray(start, start + 8192), (b) =>
      b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b,
    );
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/**
 * Offset of the first byte that breaks UTF-8 (overlong forms, surrogates and values past
 * U+10FFFF included), or -1. TextDecoder's fatal mode says only *that* a file is bad.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0; // overlong
      if (b === 0xed) high = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90; // overlong
      if (b === 0xf4) high = 0x8f; // past U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i; // truncated sequence at the end of the file
      const lo = k === 1 ? low : 0x80;
      const hi = k === 1 ? high : 0xbf;
      if (c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1;
}
