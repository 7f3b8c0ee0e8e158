/**
 * Characters as a one-line message shows them, so a control character, a right-to-left
 * override or an odd space cannot hide or rearrange the line. Runs anywhere (engine, CLI,
 * studio).
 */

/** 'a', '\n' or 'U+00E9 é': readable in a one-line message whatever the character is. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp < 0x20 || cp === 0x7f) return `${JSON.stringify(ch)} (${hex})`;
  // Controls, format characters (e.g. right-to-left overrides) and odd spaces would
  // rearrange or vanish from the line they are printed in: show only their code.
  if (INVISIBLE.test(ch)) return hex;
  if (cp < 0x7f) return `'${ch}'`;
  return `'${ch}' (${hex})`;
}

const INVISIBLE = /^[\p{C}\p{Zl}\p{Zp}\u00a0\u2000-\u200f\u3000]$/u;

/** A character as it may be shown in a list: itself if printable, else its code. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return cp <= 0x20 || cp === 0x7f || INVISIBLE.test(ch) ? describeChar(ch) : ch;
}

/** "'!', '?', 'É' (U+00C9)", at most `max` of them, then how many more there are. */
export function listChars(chars: readonly string[], max = 20): string {
  const more = chars.length > max ? ` and ${chars.length - max} more` : '';
  return chars.slice(0, max).map(describeChar).join(', ') + more;
}

/** Characters of `text` outside `known`, each once, in order of appearance. */
export function unknownChars(text: string, known: { has(ch: string): boolean }): string[] {
  const missing = new Set<string>();
  for (const ch of text) if (!known.has(ch)) missing.add(ch);
  return [...missing];
}
