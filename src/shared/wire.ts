/**
 * JSON for the WebSocket: messages are JSON text, with each Uint8Array (corpus and
 * checkpoint bytes) written as {"$bytes": "<base64>"}. Electron's IPC and the trainer's
 * process channel copy Uint8Arrays as they are and need none of this.
 */

const BYTES_KEY = '$bytes';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? { [BYTES_KEY]: toBase64(v) } : v,
  );
}

/** Parses wire text; throws SyntaxError on text that is not JSON. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const data = (v as Record<string, unknown>)[BYTES_KEY];
      if (keys.length === 1 && typeof data === 'string') return fromBase64(data);
    }
    return v;
  });
}

// btoa/atob exist in browsers and Node >= 16; they take "binary strings", built in
// chunks because String.fromCharCode(...bytes) overflows the stack on megabytes.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
