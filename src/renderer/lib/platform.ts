/**
 * What the studio needs from wherever it runs: the trainer's requests and events, and
 * file handling. Electron answers with native dialogs (electron.ts); a browser with
 * upload and download (browser.ts). Both check replies and events against the contract.
 */
import type {
  CorpusOptions,
  CorpusSummary,
  ModelSummary,
  Params,
  Reply,
  StudioEvent,
  StudioMethod,
} from '../../shared/contract';
import type { MenuCommand } from '../../shared/channels';

export interface Platform {
  kind: 'electron' | 'browser';
  call<M extends StudioMethod>(method: M, params: Params<M>): Promise<Reply<M>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** The connection to the trainer was lost (browser mode); the message says what to do. */
  onDisconnect(listener: (message: string) => void): void;
  onMenu(listener: (command: MenuCommand) => void): void;
  /** Asks for a text file and opens it as the corpus; null when the user cancels. */
  openCorpusFile(options: CorpusOptions): Promise<CorpusSummary | null>;
  openCheckpointFile(): Promise<ModelSummary | null>;
  /** Saves the current model; returns the file name, or null when cancelled. */
  saveCheckpoint(as: boolean): Promise<string | null>;
  saveText(name: string, text: string): Promise<string | null>;
}

/** Reads a File (from a picker or a drop) into bytes for an openCorpus/openCheckpoint request. */
export async function fileBytes(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}
