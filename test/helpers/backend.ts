/**
 * Tests run on the backend Folio would pick here (FOLIO_TEST_BACKEND overrides), so the
 * same checks cover native where tfjs-node is installed and WebAssembly elsewhere.
 */
import { initBackend, parseBackend, type BackendInfo } from '../../src/main/engine/backend';

export function useTestBackend(): Promise<BackendInfo> {
  return initBackend(parseBackend(process.env.FOLIO_TEST_BACKEND ?? 'auto'));
}
