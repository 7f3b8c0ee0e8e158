import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  corpusFromBytes,
  firstInvalidUtf8,
  parseEncoding,
  readCorpus,
} from '../../src/main/engine/corpus';
import { FolioError, ioError } from '../../src/main/engine/errors';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

const utf8 = (text: string) => new TextEncoder().encode(text);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FolioError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('a corpus', () => {
  it('treats each code point as one symbol, for Cyrillic, accents, CJK and emoji alike', () => {
    const corpus = corpusFromBytes(utf8('café naïve 你好 😀\n'.repeat(50)), 'mixed.txt');
    for (const ch of ['é', 'ï', '你', '好', '😀']) expect(corpus.vocab.has(ch)).toBe(true);
    expect(corpus.ids.length).toBe([...'café naïve 你好 😀\n'].length * 50);
    expect(corpus.vocab.decode(corpus.ids)).toBe(corpus.text);
    const cyrillic = corpusFromBytes(utf8('тест мир\n'.repeat(300)), 'ru.txt');
    expect(cyrillic.vocab.chars).toEqual(['\n', ' ', ...'еимрст']);
  });

  it('orders the vocabulary by code point, independent of where characters first appear', () => {
    expect(corpusFromBytes(utf8('cabba'), 'x').vocab.chars).toEqual(['a', 'b', 'c']);
  });

  it('turns CRLF and lone CR into LF by default and counts them, or keeps them when asked', () => {
    const corpus = corpusFromBytes(utf8('one\r\ntwo\rthree\n'), 'crlf.txt');
    expect(corpus.text).toBe('one\ntwo\nthree\n');
    expect(corpus.newlinesNormalized).toBe(2);
    const kept = corpusFromBytes(utf8('one\r\ntwo\n'), 'crlf.txt', { normalizeNewlines: false });
    expect(kept.text).toBe('one\r\ntwo\n');
    expect(kept.vocab.has('\r')).toBe(true);
  });

  it('drops a UTF-8 byte-order mark', () => {
    expect(corpusFromBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x62]), 'bom.txt').text).toBe(
      'ab',
    );
  });

  it('refuses Windows-1252 bytes as UTF-8 with the byte offset and the --encoding hint, then reads them', () => {
    const line = [0x49, 0x74, 0x92, 0x73, 0x0a]; // It’s\n in Windows-1252
    const bytes = new Uint8Array(Array.from({ length: 40 }, () => line).flat());
    const message = refusal(() => corpusFromBytes(bytes, 'win.txt'));
    expect(message).toContain('offset 2');
    expect(message).toContain('0x92');
    expect(message).toContain('--encoding windows-1252');
    const corpus = corpusFromBytes(bytes, 'win.txt', { encoding: parseEncoding('windows-1252') });
    expect(corpus.text.startsWith('It\u2019s\n')).toBe(true);
    expect(parseEncoding('latin1')).toBe('windows-1252');
    expect(refusal(() => parseEncoding('ebcdic'))).toContain('utf-8 or windows-1252');
    // A UTF-8 byte-order mark says the file is UTF-8 whatever was asked.
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    const asked = { encoding: parseEncoding('windows-1252') };
    expect(refusal(() => corpusFromBytes(bom, 'bom.txt', asked))).toMatch(
      /bom\.txt starts with a UTF-8 byte-order mark.*without --encoding windows-1252/,
    );
  });

  it.each([
    ['an empty file', new Uint8Array(0), 'is empty'],
    ['a file holding only a newline', utf8('\n'), 'only "\\n"'],
    ['a file with one distinct character', utf8('aaaaaaaa'), "only 'a'"],
    [
      'a PNG image',
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'looks binary',
    ],
    ['UTF-16 text', new Uint8Array([0xff, 0xfe, 0x61, 0x00]), 'UTF-16'],
    [
      'UTF-16 text without a byte-order mark',
      new Uint8Array(Buffer.from('To be, or not to be\n'.repeat(3), 'utf16le')),
      'looks like UTF-16 text',
    ],
  ])('refuses %s and says why', (_, bytes, reason) => {
    expect(refusal(() => corpusFromBytes(bytes, 'bad.txt'))).toContain(reason);
  });

  // An unreadable file needs a process that obeys file modes: see file-system.test.ts.
  it('says in one line when the path is missing or a folder', async () => {
    const dir = tempDir('folio-corpus-');
    mkdirSync(join(dir, 'folder'));
    const missing = await readCorpus(join(dir, 'nope.txt')).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(FolioError);
    expect((missing as Error).message).toMatch(/no such file; check the path/);
    const folder = await readCorpus(join(dir, 'folder')).catch((e: Error) => e);
    expect((folder as Error).message).toContain('is a folder');
    writeFileSync(join(dir, 'ok.txt'), 'hello world\n');
    expect((await readCorpus(join(dir, 'ok.txt'))).name).toBe('ok.txt');
  });
});

describe('file-system errors', () => {
  it.each([
    ['EACCES', /permission denied; check the file permissions or choose another location/],
    ['EROFS', /read-only; choose another location/],
    ['ENOSPC', /disk is full; free some space or choose another disk/],
  ])('%s becomes one line saying what to do', (code, message) => {
    const err = ioError(
      Object.assign(new Error('raw'), { code }),
      '/x/model.ckpt',
      'save the checkpoint',
    );
    expect(err.message).toMatch(/^Could not save the checkpoint at \/x\/model.ckpt: /);
    expect(err.message).toMatch(message);
  });

  it('blames the folder when a write is refused, since files are made beside the target', () => {
    const denied = Object.assign(new Error('raw'), { code: 'EACCES' });
    expect(ioError(denied, '/x/model.ckpt', 'save the checkpoint', true).message).toBe(
      'Could not save the checkpoint at /x/model.ckpt: the folder /x does not let Folio ' +
        'create files there (permission denied); choose another folder or make this one writable.',
    );
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    ['valid ASCII and multi-byte text', [...utf8('aé你😀')], -1],
    ['a stray continuation byte', [0x61, 0x80], 1],
    ['an overlong slash', [0x61, 0xc0, 0xaf], 1],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], 0],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a sequence cut off at the end', [0x61, 0x62, 0xe4, 0xbd], 2],
  ])('finds %s', (_, bytes, offset) => {
    expect(firstInvalidUtf8(new Uint8Array(bytes))).toBe(offset);
  });
});
