/**
 * The built-in corpus download, against a local server: checked by SHA-256 and size,
 * cached, refused when it does not match, and a clear message when there is no network.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBuiltinCorpus, type BuiltinCorpus } from '../../../src/main/trainer/builtin-corpus';
import { localServer } from '../../helpers/local-server';

const body = new TextEncoder().encode(
  'First Citizen:\nBefore we proceed any further, hear me speak.\n',
);
const source = (url: string): BuiltinCorpus => ({
  title: 'Tiny Test',
  fileName: 'tiny.txt',
  url,
  sha256: createHash('sha256').update(body).digest('hex'),
  bytes: body.length,
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let cacheDir: string;
let requests = 0;
let served: Uint8Array = body;
let status = 200;
let server: Awaited<ReturnType<typeof localServer>>;

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'folio-cache-'));
  requests = 0;
  served = body;
  status = 200;
  server = await localServer((_req, res) => {
    requests++;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(served);
  });
});
afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('the built-in corpus', () => {
  it('is downloaded once, then read from the cache', async () => {
    const src = source(`${server.url}/input.txt`);
    expect(text(await loadBuiltinCorpus(src, cacheDir))).toBe(text(body));
    expect(text(await loadBuiltinCorpus(src, cacheDir))).toBe(text(body));
    expect(requests).toBe(1);
    expect(text(await readFile(join(cacheDir, 'tiny.txt')))).toBe(text(body));
  });

  it('replaces a damaged cached copy', async () => {
    await writeFile(join(cacheDir, 'tiny.txt'), 'truncated');
    expect(text(await loadBuiltinCorpus(source(`${server.url}/input.txt`), cacheDir))).toBe(
      text(body),
    );
    expect(requests).toBe(1);
  });

  it('refuses a download whose SHA-256 does not match, and caches nothing', async () => {
    served = new TextEncoder().encode(
      'Not Shakespeare at all, but the same length!!!!!!!!!!!!!!!!!!!!',
    );
    await expect(loadBuiltinCorpus(source(`${server.url}/input.txt`), cacheDir)).rejects.toThrow(
      /The downloaded Tiny Test is not the expected file .* so it was not used/,
    );
    await expect(readFile(join(cacheDir, 'tiny.txt'))).rejects.toThrow();
  });

  it('names the HTTP status when the server refuses', async () => {
    status = 404;
    await expect(loadBuiltinCorpus(source(`${server.url}/input.txt`), cacheDir)).rejects.toThrow(
      /Could not download Tiny Test from 127\.0\.0\.1:\d+: the server answered 404/,
    );
  });

  it('says to check the connection when nothing answers', async () => {
    const url = `${server.url}/input.txt`;
    await server.close(); // the port is now closed: connection refused
    server = await localServer(() => {});
    await expect(loadBuiltinCorpus(source(url), cacheDir)).rejects.toThrow(
      /Could not download Tiny Test .*ECONNREFUSED.*Check the internet connection.*"Open text file…"/,
    );
  });
});
