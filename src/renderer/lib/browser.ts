/**
 * The studio in a browser (`npm run serve`): requests and events over a WebSocket to the
 * server, files through the browser's file picker (upload) and downloads.
 */
import {
  parseReply,
  RemoteError,
  ServerMessageSchema,
  type StudioEvent,
  type StudioMethod,
} from '../../shared/contract';
import { decodeWire, encodeWire } from '../../shared/wire';
import { fileBytes, type Platform } from './platform';

/** Opens the WebSocket (the token comes from the page's address or its cookie). */
export async function browserPlatform(): Promise<Platform> {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(
    `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  );
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener(
      'error',
      () =>
        reject(
          new Error(
            'Could not reach the Folio server. Is `npm run serve` still running? Open the ' +
              'address it printed (with its token).',
          ),
        ),
      { once: true },
    );
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(event: StudioEvent) => void>();
  const disconnectListeners: ((message: string) => void)[] = [];

  socket.addEventListener('message', (message) => {
    const parsed = ServerMessageSchema.safeParse(decodeWire(String(message.data)));
    if (!parsed.success) return console.warn('Studio: ignored a malformed message');
    const data = parsed.data;
    if (data.kind === 'event') {
      for (const listener of listeners) listener(data.event);
      return;
    }
    const waiting = pending.get(data.id);
    pending.delete(data.id);
    if (!waiting) return;
    if (data.ok) waiting.resolve(data.result);
    else waiting.reject(new RemoteError(data.error.message, data.error.code));
  });
  socket.addEventListener('close', () => {
    const message =
      'The connection to the Folio server closed. Start `npm run serve` again and reload the page.';
    for (const waiting of pending.values()) waiting.reject(new RemoteError(message, 'closed'));
    pending.clear();
    for (const listener of disconnectListeners) listener(message);
  });

  const call: Platform['call'] = async <M extends StudioMethod>(method: M, params: unknown) => {
    if (socket.readyState !== WebSocket.OPEN) {
      throw new RemoteError('Not connected to the Folio server; reload the page.', 'closed');
    }
    const id = nextId++;
    const result = await new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(encodeWire({ kind: 'request', id, method, params }));
    });
    return parseReply(method, result);
  };

  return {
    kind: 'browser',
    call,
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onDisconnect: (listener) => void disconnectListeners.push(listener),
    onMenu: () => {},
    openCorpusFile: async (options) => {
      const file = await pickFile('.txt,.text,.md,.csv,.tsv,text/plain');
      if (!file) return null;
      return call('openCorpus', { ...options, name: file.name, bytes: await fileBytes(file) });
    },
    openCheckpointFile: async () => {
      const file = await pickFile('.ckpt');
      if (!file) return null;
      return call('openCheckpoint', { name: file.name, bytes: await fileBytes(file) });
    },
    saveCheckpoint: async () => {
      // A browser saves into its downloads folder: Save and Save as are the same here.
      const { name, bytes } = await call('exportCheckpoint', {});
      download(name, new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
      return name;
    },
    saveText: async (name, text) => {
      download(name, new Blob([text], { type: 'text/plain;charset=utf-8' }));
      return name;
    },
  };
}

/** The browser's file picker; resolves null when the user cancels. */
function pickFile(accept: string): Promise<File | null> {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = accept;
  return new Promise((resolve) => {
    input.addEventListener('change', () => resolve(input.files?.[0] ?? null), { once: true });
    input.addEventListener('cancel', () => resolve(null), { once: true });
    input.click();
  });
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
