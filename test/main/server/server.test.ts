/**
 * Browser mode's gate and bridge: only the token holder at the printed address, from the
 * studio's own origin, gets the studio or the trainer; the WebSocket carries the contract.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startStudioServer, type StudioServer } from '../../../src/main/server/server';
import { decodeWire, encodeWire } from '../../../src/shared/wire';
import { inProcessTrainer, smallCorpusText } from '../../helpers/studio';

let server: StudioServer;
let root: string;
let token: string;
const trainer = inProcessTrainer();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'folio-serve-'));
  const rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Folio</title>');
  await writeFile(join(rendererDir, 'assets/app.js'), 'console.log(1);');
  await writeFile(join(root, 'secret.txt'), 'not for browsers');
  server = await startStudioServer({ rendererDir, trainer: trainer.client, port: 0 });
  token = new URL(server.url).searchParams.get('token')!;
});
afterAll(async () => {
  await server.close();
  trainer.client.close();
  await rm(root, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          headers: { host: `127.0.0.1:${server.port}`, ...headers },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

function connect(headers: Record<string, string>, query = `?token=${token}`) {
  return new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
}

const ownOrigin = () => ({ origin: `http://127.0.0.1:${server.port}` });

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function ask(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = decodeWire(data.toString()) as Record<string, unknown>;
      if (reply.kind !== 'reply') return;
      ws.off('message', onMessage);
      resolve(reply);
    };
    ws.on('message', onMessage);
    ws.send(encodeWire(message));
  });
}

describe('browser mode', () => {
  it('prints a 127.0.0.1 address with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('refuses a page request without the token', async () => {
    const res = await get('/');
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/needs the token/);
  });

  it('serves the studio with the token, sets a cookie and then needs no query', async () => {
    const first = await get(`/?token=${token}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<title>Folio</title>');
    expect(first.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^folio_token_\d+=/);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get('/assets/app.js', { cookie })).status).toBe(200);
  });

  it('refuses a wrong token, a foreign Host and a foreign Origin', async () => {
    expect((await get('/?token=guess')).status).toBe(401);
    expect((await get(`/?token=${token}`, { host: 'evil.example:80' })).status).toBe(421);
    expect((await get(`/?token=${token}`, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('serves nothing outside the renderer folder', async () => {
    expect((await get(`/../secret.txt?token=${token}`)).status).toBe(404);
    expect((await get(`/%2e%2e/secret.txt?token=${token}`)).status).toBe(404);
  });

  it('refuses WebSockets without the token or from another origin', async () => {
    await expect(opened(connect(ownOrigin(), ''))).rejects.toThrow('HTTP 401');
    await expect(opened(connect({ origin: 'http://evil.example' }))).rejects.toThrow('HTTP 403');
    await expect(opened(connect({}))).rejects.toThrow('HTTP 403');
  });

  it('carries studio requests to the trainer and bytes with them', async () => {
    const ws = connect(ownOrigin());
    await opened(ws);
    const hello = await ask(ws, { kind: 'request', id: 1, method: 'hello', params: {} });
    expect(hello).toMatchObject({ id: 1, ok: true, result: { training: false, corpus: null } });
    const opened_ = await ask(ws, {
      kind: 'request',
      id: 2,
      method: 'openCorpus',
      params: {
        name: 'small.txt',
        bytes: new TextEncoder().encode(smallCorpusText()),
        encoding: 'utf-8',
        normalizeNewlines: true,
      },
    });
    expect(opened_).toMatchObject({ id: 2, ok: true, result: { name: 'small.txt' } });
    ws.close();
  });

  it('refuses host-only requests and malformed params over the WebSocket', async () => {
    const ws = connect(ownOrigin());
    await opened(ws);
    const save = await ask(ws, {
      kind: 'request',
      id: 3,
      method: 'saveCheckpoint',
      params: { path: '/tmp/x.ckpt' },
    });
    expect(save).toMatchObject({
      ok: false,
      error: { message: 'Unknown request "saveCheckpoint".' },
    });
    const bad = await ask(ws, { kind: 'request', id: 4, method: 'stop', params: null });
    expect(bad).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^stop params/) },
    });
    ws.close();
  });
});
