/**
 * The vocabulary: an ordered list of Unicode code points. A symbol's index is its position
 * in this list, so the list is stored in every checkpoint and never re-derived: a model
 * only means something together with the exact order it was trained with.
 */
import { describeChar, listChars, unknownChars } from '../../shared/chars';
import { FolioError } from './errors';

export class Vocabulary {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: readonly string[]) {
    const index = new Map<string, number>();
    chars.forEach((ch, i) => {
      if ([...ch].length !== 1) {
        throw new FolioError(`Vocabulary entry ${i} is not one character: ${JSON.stringify(ch)}.`);
      }
      if (index.has(ch)) {
        throw new FolioError(
          `Vocabulary repeats ${describeChar(ch)} (entries ${index.get(ch)} and ${i}).`,
        );
      }
      index.set(ch, i);
    });
    this.chars = chars;
    this.index = index;
  }

  /** Every distinct code point of `text`, sorted by code point value. */
  static fromText(text: string): Vocabulary {
    const seen = new Set<string>(text); // a string iterates by code point, not UTF-16 unit
    const chars = [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new Vocabulary(chars);
  }

  get size(): number {
    return this.chars.length;
  }

  has(ch: string): boolean {
    return this.index.has(ch);
  }

  indexOf(ch: string): number | undefined {
    return this.index.get(ch);
  }

  /** Characters of `text` missing from this vocabulary, each once, in order of appearance. */
  unknown(text: string): string[] {
    return unknownChars(text, this.index);
  }

  /**
   * Code points to indices. Unknown characters are an error naming each of them, unless
   * `dropUnknown` is set, in which case they are skipped.
   */
  encode(text: string, dropUnknown = false): Int32Array {
    const ids = new Int32Array(text.length); // code points <= UTF-16 units: always enough
    let count = 0;
    for (const ch of text) {
      const id = this.index.get(ch);
      if (id !== undefined) ids[count++] = id;
      else if (!dropUnknown) throw unknownCharsError(this.unknown(text), 'the text');
    }
    return ids.slice(0, count);
  }

  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) out += this.chars[ids[i]!] ?? '';
    return out;
  }
}

export function unknownCharsError(chars: string[], where: string): FolioError {
  return new FolioError(
    `${capitalise(where)} has ${chars.length} character(s) the model never saw: ` +
      `${listChars(chars)}. ` +
      `Remove them, or drop them with --drop-unknown.`,
    'unknown-characters',
  );
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
