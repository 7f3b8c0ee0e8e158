import type { FolioApi } from '../shared/api';

declare global {
  interface Window {
    /** Set by the preload script; absent when the renderer runs outside Electron. */
    readonly folio?: FolioApi;
  }
}
