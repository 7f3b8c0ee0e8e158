/**
 * The API the preload script puts on `window.folio` for the renderer.
 *
 * Named functions only: the renderer never sees `ipcRenderer` or any Node module.
 * This file holds types and constants and runs in no particular process.
 */

/** The name under which the preload exposes {@link FolioApi} on `window`. */
export const FOLIO_API_KEY = 'folio';

/** What the renderer may call. Grows with the studio, one named function at a time. */
export interface FolioApi {
  /** The app's version, as in package.json (e.g. "0.1.0"). */
  version(): string;
}
