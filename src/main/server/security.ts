/**
 * Who may talk to browser mode. The server listens on 127.0.0.1 by default, and still
 * trusts no request for that alone: any web page the user visits can make the browser
 * send requests to localhost, and DNS rebinding can make a foreign name resolve to it.
 * So every request must
 *   - name an allowed Host (the address the server printed), which defeats rebinding;
 *   - come from the studio's own Origin, if it carries one (WebSockets always do);
 *   - carry the random token, in the URL (?token=) or in the cookie the first page load
 *     sets, which a foreign page can neither read nor guess.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function makeToken(): string {
  return randomBytes(24).toString('base64url');
}

export interface Gate {
  token: string;
  /** host:port values the Host header may hold. */
  allowedHosts: Set<string>;
  cookieName: string;
}

export type Verdict =
  { ok: true; setCookie: boolean } | { ok: false; status: number; message: string };

/** The hosts a server on `host`:`port` answers to: that, plus localhost names for loopback. */
export function allowedHosts(host: string, port: number, extra: string[] = []): Set<string> {
  const names = new Set([host, ...extra]);
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    names.add('127.0.0.1').add('localhost').add('[::1]');
  }
  return new Set([...names].map((name) => `${name}:${port}`));
}

export function checkRequest(req: IncomingMessage, gate: Gate, needsOrigin: boolean): Verdict {
  const host = req.headers.host ?? '';
  if (!gate.allowedHosts.has(host)) {
    return refuse(421, `Folio answers only at ${[...gate.allowedHosts][0]}, not "${host}".`);
  }
  const origin = req.headers.origin;
  if (origin === undefined ? needsOrigin : origin !== `http://${host}`) {
    return refuse(403, `Folio refuses requests from other sites (origin "${origin ?? 'none'}").`);
  }
  const fromQuery = new URL(req.url ?? '/', 'http://folio').searchParams.get('token');
  const fromCookie = readCookie(req.headers.cookie, gate.cookieName);
  if (fromQuery !== null && sameToken(fromQuery, gate.token)) return { ok: true, setCookie: true };
  if (fromCookie !== undefined && sameToken(fromCookie, gate.token)) {
    return { ok: true, setCookie: false };
  }
  return refuse(
    401,
    'Folio needs the token from the address `npm run serve` printed; open that full address.',
  );
}

function refuse(status: number, message: string): Verdict {
  return { ok: false, status, message };
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** HttpOnly: page scripts never see it; Strict: no other site's request carries it. */
export function tokenCookie(gate: Gate): string {
  return `${gate.cookieName}=${gate.token}; HttpOnly; SameSite=Strict; Path=/`;
}
