/**
 * The API the preload script puts on `window.folio` for the renderer in Electron.
 *
 * Named functions only: one per studio request of the contract (forwarded to the
 * trainer), one per shell request (native dialogs), an event subscription and the menu's
 * commands. The renderer never sees `ipcRenderer` or any Node module. Types only.
 */
import type { MenuCommand } from './channels';
import type { ErrorInfo, Params, Reply, StudioEvent, StudioMethod } from './contract';
import type { ShellMethod, ShellParams, ShellReply } from './shell';

/** What main's IPC handlers return; the renderer unwraps it (errors keep message and code). */
export type Outcome<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

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
