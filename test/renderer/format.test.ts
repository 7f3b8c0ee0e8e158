import { describe, expect, it } from 'vitest';
import { studioWords } from '../../src/renderer/lib/format';

describe('engine messages in the studio', () => {
  it('name fields and menus instead of command-line flags', () => {
    expect(
      studioWords('Hidden size must be an integer from 1 to 4096 (--hidden-size), got 0.'),
    ).toBe('Hidden size must be an integer from 1 to 4096, got 0.');
    expect(studioWords('Lower --lr (try 0.0003) or set --lr-decay 0.')).toBe(
      'Lower Learning rate (try 0.0003) or set Learning-rate decay 0.',
    );
    expect(studioWords('Largest settings that fit: --batch-size 2 (with --seq-len 64).')).toBe(
      'Largest settings that fit: Batch size 2 (with Sequence length 64).',
    );
    expect(
      studioWords('…at offset 2. If it was saved by Windows, try --encoding windows-1252.'),
    ).toBe('…at offset 2. If it was saved by Windows, try Encoding set to Windows-1252.');
    expect(studioWords('it is UTF-8 text; read it without --encoding windows-1252.')).toBe(
      'it is UTF-8 text; read it with Encoding set to UTF-8.',
    );
  });
});
