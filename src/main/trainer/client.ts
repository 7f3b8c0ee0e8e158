/**
 * The other end of the trainer: sends requests, matches replies to them, checks both
 * replies and events against the contract, and hands events to listeners. When the
 * trainer process dies it fails the pending requests, says so with a 'trainerLost' event
 * and starts a fresh one (with no model loaded: the last autosave is on disk).
 */
import {
  parseReply,
  RemoteError,
  ServerMessageSchema,
  type Params,
  type Reply,
  type StudioEvent,
  type TrainerMethod,
} from '../../shared/contract';

/** A way to reach one trainer: a utility process, a forked Node process, or in-process. */
export interface TrainerTransport {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once if the trainer ends by itself; `why` is a short phrase for the user. */
  onExit(listener: (why: string) => void): void;
  close(): void;
}

interface Pending {
  method: TrainerMethod;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** More than this many crashes within RESTART_WINDOW_MS stops the restarting. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export class TrainerClient {
  private transport: TrainerTransport;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private crashes: number[] = [];
  private closed = false;

  constructor(
    private readonly startTransport: () => TrainerTransport,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.transport = this.connect();
  }

  call<M extends TrainerMethod>(method: M, params: Params<M>): Promise<Reply<M>> {
    if (this.closed) return Promise.reject(new RemoteError('The trainer is closed.', 'closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      this.transport.post({ kind: 'request', id, method, params });
    });
  }

  /** Adds an event listener; returns the function that removes it. */
  onEvent(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.transport.close();
    this.failPending('The trainer was closed.', 'closed');
  }

  private connect(): TrainerTransport {
    const transport = this.startTransport();
    transport.onMessage((message) => this.receive(message));
    transport.onExit((why) => {
      if (this.closed || transport !== this.transport) return;
      this.lost(why);
    });
    return transport;
  }

  private receive(raw: unknown): void {
    const parsed = ServerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.log(
        `Trainer: ignored a message that does not fit the contract: ${parsed.error.message}`,
      );
      return;
    }
    const message = parsed.data;
    if (message.kind === 'event') {
      for (const listener of this.listeners) listener(message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (!message.ok) {
      pending.reject(new RemoteError(message.error.message, message.error.code));
      return;
    }
    try {
      pending.resolve(parseReply(pending.method, message.result));
    } catch (err) {
      pending.reject(err as Error);
    }
  }

  private lost(why: string): void {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < RESTART_WINDOW_MS), now];
    const restart = this.crashes.length <= MAX_RESTARTS;
    const message =
      `The trainer stopped unexpectedly (${why}). ` +
      (restart
        ? 'A new one has started with no model loaded; the last autosaved checkpoint is kept ' +
          'and can be opened with "Open checkpoint…".'
        : 'It crashed several times in a row, so Folio stopped restarting it; restart Folio.');
    this.log(`Trainer: ${message}`);
    this.failPending(message, 'trainer-lost');
    if (restart) this.transport = this.connect();
    else this.closed = true;
    for (const listener of this.listeners) listener({ type: 'trainerLost', message });
  }

  private failPending(message: string, code: string): void {
    for (const pending of this.pending.values()) pending.reject(new RemoteError(message, code));
    this.pending.clear();
  }
}
