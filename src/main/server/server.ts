/**
 * Browser mode: an HTTP server for the built studio and a WebSocket that carries the
 * contract's requests to a trainer and its events back. Every request passes the gate in
 * security.ts first; every WebSocket message is parsed with the contract, and only the
 * studio's requests are forwarded (never the host-only ones that name files on disk).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  errorInfo,
  isStudioMethod,
  parseOrThrow,
  parseParams,
  RequestMessageSchema,
  type ServerMessage,
} from '../../shared/contract';
import { decodeWire, encodeWire } from '../../shared/wire';
import type { TrainerClient } from '../trainer/client';
import { allowedHosts, checkRequest, makeToken, tokenCookie, type Gate } from './security';
import { SECURITY_HEADERS, serveStatic } from './static';

export interface StudioServerOptions {
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  trainer: TrainerClient;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** More host names the Host header may carry (e.g. this machine's name on a LAN). */
  publicHosts?: string[];
  token?: string;
}

export interface StudioServer {
  /** The address to open, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const WEBSOCKET_PATH = '/ws';
/** Corpora and checkpoints travel as base64 inside JSON; 256 MB is plenty for both. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? makeToken();
  const gate: Gate = { token, allowedHosts: new Set(), cookieName: 'folio_token' };
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const http = createServer((req, res) => void answerHttp(req, res, gate, options.rendererDir));

  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://folio').pathname !== WEBSOCKET_PATH) {
      return refuseUpgrade(socket, 404, 'Not found.');
    }
    const verdict = checkRequest(req, gate, true);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.message);
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options.trainer));
  });

  // Events go to every open studio (two tabs show the same run).
  const stopEvents = options.trainer.onEvent((event) => {
    const text = encodeWire({ kind: 'event', event } satisfies ServerMessage);
    for (const ws of sockets.clients) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, resolve);
  });
  const { port } = http.address() as AddressInfo;
  gate.allowedHosts = allowedHosts(host, port, options.publicHosts);
  gate.cookieName = `folio_token_${port}`; // cookies ignore ports; two servers must not clash
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    close: async () => {
      stopEvents();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function answerHttp(
  req: IncomingMessage,
  res: ServerResponse,
  gate: Gate,
  rendererDir: string,
): Promise<void> {
  const verdict = checkRequest(req, gate, false);
  if (!verdict.ok) {
    res.writeHead(verdict.status, { ...SECURITY_HEADERS, 'content-type': 'text/plain' });
    res.end(`${verdict.message}\n`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  if (verdict.setCookie) headers['set-cookie'] = tokenCookie(gate);
  try {
    const { pathname } = new URL(req.url ?? '/', 'http://folio');
    await serveStatic(rendererDir, pathname, res, headers, req.method === 'HEAD');
  } catch {
    if (!res.headersSent) res.writeHead(400, SECURITY_HEADERS);
    res.end();
  }
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`,
  );
}

/** One studio tab: requests in, replies out (events are broadcast above). */
function serveSocket(ws: WebSocket, trainer: TrainerClient): void {
  ws.on('message', (data, isBinary) => {
    void (async () => {
      let id = 0;
      try {
        if (isBinary) throw new Error('Expected text messages.');
        const request = parseOrThrow(RequestMessageSchema, decodeWire(String(data)), 'request');
        id = request.id;
        if (!isStudioMethod(request.method)) {
          throw new Error(`Unknown request "${request.method}".`);
        }
        const params = parseParams(request.method, request.params);
        const result = await trainer.call(request.method, params as never);
        send(ws, { kind: 'reply', id, ok: true, result });
      } catch (err) {
        send(ws, { kind: 'reply', id, ok: false, error: errorInfo(err) });
      }
    })();
  });
}

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
}
