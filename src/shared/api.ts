/**
 * The API the preload script puts on `window.folio` for the renderer in Electron.
 *
 * Named functions only: one per studio request of the contract (forwarded to the
 * trainer), plus the shell's own (native dialogs), an event subscription and the menu's
 * commands. The renderer never sees `ipcRenderer` or any Node module. Runs in no
 * particular process: types, schemas and constants.
 */
import { z } from 'zod';
import {
  CorpusOptionsSchema,
  CorpusSummarySchema,
  ErrorInfoSchema,
  method,
  ModelSummarySchema,
  type Params,
  type Reply,
  type StudioEvent,
  type StudioMethod,
} from './contract';

/** The name under which the preload exposes {@link FolioApi} on `window`. */
export const FOLIO_API_KEY = 'folio';

/** Requests only Electron's main answers: they open native dialogs and touch files. */
export const SHELL_METHODS = {
  openCorpusDialog: method(CorpusOptionsSchema, CorpusSummarySchema.nullable()),
  openCheckpointDialog: method(z.object({}), ModelSummarySchema.nullable()),
  /** Save reuses the file this model came from or was last saved to; Save as always asks. */
  saveCheckpointDialog: method(
    z.object({ as: z.boolean() }),
    z.object({ name: z.string() }).nullable(),
  ),
  saveTextDialog: method(
    z.object({ name: z.string().min(1).max(255), text: z.string() }),
    z.object({ name: z.string() }).nullable(),
  ),
  /** Opens an http(s) link in the system browser, if it is on the allow-list. */
  openExternal: method(z.object({ url: z.string().max(2000) }), z.object({ opened: z.boolean() })),
} as const;

export type ShellMethod = keyof typeof SHELL_METHODS;
export type ShellParams<M extends ShellMethod> = z.input<(typeof SHELL_METHODS)[M]['params']>;
export type ShellReply<M extends ShellMethod> = z.infer<(typeof SHELL_METHODS)[M]['reply']>;

/** What main's IPC handlers return; the renderer unwraps it (errors keep message and code). */
export type Outcome<T> =
  { ok: true; result: T } | { ok: false; error: z.infer<typeof ErrorInfoSchema> };

export const MENU_COMMANDS = [
  'openCorpus',
  'openCheckpoint',
  'saveCheckpoint',
  'saveCheckpointAs',
  'train',
  'stop',
  'generate',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** IPC channel names: one per request ("folio:train"), plus the two event streams. */
export const channel = (name: string) => `folio:${name}`;
export const EVENT_CHANNEL = 'folio:event';
export const MENU_CHANNEL = 'folio:menu';

type StudioCalls = {
  [M in StudioMethod]: (params: Params<M>) => Promise<Outcome<Reply<M>>>;
};
type ShellCalls = {
  [M in ShellMethod]: (params: ShellParams<M>) => Promise<Outcome<ShellReply<M>>>;
};

export interface FolioApi extends StudioCalls, ShellCalls {
  /** The app's version, as in package.json (e.g. "0.1.0"). */
  version(): string;
  /** Subscribes to the trainer's events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  onMenu(listener: (command: MenuCommand) => void): () => void;
}
