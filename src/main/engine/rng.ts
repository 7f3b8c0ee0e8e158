/**
 * Seeded random numbers that depend only on (seed, stream, counter), never on history.
 *
 * Training draws batches and dropout masks from `Rng.at(seed, stream, step)`, so resuming
 * at step N needs only the seed: no generator state has to be saved, and a resumed run
 * sees exactly the numbers an uninterrupted run would have seen.
 */

/** Stream ids keep the users of one seed apart. */
export const Stream = {
  init: 1,
  epochOrder: 2,
  dropout: 3,
  sample: 4,
  /** Embedding rows of characters added to a model's vocabulary (extend-vocab.ts). */
  vocabExtension: 5,
} as const;

/** splitmix32-style finaliser: a good 32-bit mix of a 32-bit input. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** sfc32: small, fast, passes PractRand to large sizes; 128 bits of state. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0, counter = 0) {
    this.a = mix32(seed ^ 0x9e3779b9);
    this.b = mix32(stream ^ 0x85ebca6b ^ this.a);
    this.c = mix32(counter ^ 0xc2b2ae35 ^ this.b);
    this.d = mix32(Math.floor(counter / 2 ** 32) ^ 0x27d4eb2f ^ this.c);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  static at(seed: number, stream: number, counter: number): Rng {
    return new Rng(seed, stream, counter);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; the second value is discarded for simplicity). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1], so log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
  }
}
