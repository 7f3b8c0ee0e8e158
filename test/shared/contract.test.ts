/** The contract refuses what does not fit, naming the field, and the wire keeps bytes. */
import { describe, expect, it } from 'vitest';
import { paramCount } from '../../src/shared/estimate';
import {
  parseParams,
  ServerMessageSchema,
  StudioEventSchema,
  isStudioMethod,
  generateProblems,
} from '../../src/shared/contract';
import { decodeWire, encodeWire } from '../../src/shared/wire';
import { DEFAULT_MODEL, DEFAULT_TRAIN } from '../../src/shared/settings';

describe('the contract', () => {
  it('accepts the default settings', () => {
    const params = { model: DEFAULT_MODEL, settings: DEFAULT_TRAIN, resume: false };
    expect(parseParams('train', params)).toEqual(params);
  });

  it('names each bad field with the settings table message', () => {
    expect(() =>
      parseParams('train', {
        model: { ...DEFAULT_MODEL, hiddenSize: 0 },
        settings: { ...DEFAULT_TRAIN, batchSize: 2.5 },
        resume: false,
      }),
    ).toThrow(
      'train params: model.hiddenSize: Hidden size must be an integer from 1 to 4096 ' +
        '(--hidden-size), got 0.; settings.batchSize: Batch size must be an integer from 1 to ' +
        '4096 (--batch-size), got 2.5.',
    );
  });

  it.each([
    ['model', 'hiddenSize', 0],
    ['model', 'hiddenSize', 1e9],
    ['settings', 'seqLen', 0],
    ['settings', 'batchSize', -1],
    ['settings', 'lr', NaN],
    ['model', 'dropout', 1],
    ['settings', 'valFraction', 1],
  ] as const)('refuses %s.%s = %s before the trainer sees it', (group, field, value) => {
    const params = { model: { ...DEFAULT_MODEL }, settings: { ...DEFAULT_TRAIN }, resume: false };
    (params[group] as Record<string, number>)[field] = value;
    expect(() => parseParams('train', params)).toThrow(
      new RegExp(`^train params: ${group}\\.${field}: .* must be .*got ${value}\\.$`),
    );
  });

  it('takes the choice to extend the vocabulary only as a boolean', () => {
    const params = { model: DEFAULT_MODEL, settings: DEFAULT_TRAIN, resume: true };
    expect(parseParams('train', { ...params, extendVocab: true }).extendVocab).toBe(true);
    expect(() => parseParams('train', { ...params, extendVocab: 'yes' })).toThrow(/extendVocab/);
  });

  it('wants bytes, not a path, for a corpus from the studio', () => {
    expect(() =>
      parseParams('openCorpus', {
        name: 'a.txt',
        bytes: '/etc/passwd',
        encoding: 'utf-8',
        normalizeNewlines: true,
      }),
    ).toThrow(/bytes: expected bytes/);
  });

  it('keeps host-only requests (file paths) away from the studio', () => {
    expect(isStudioMethod('openCorpus')).toBe(true);
    expect(isStudioMethod('openCorpusFile')).toBe(false);
    expect(isStudioMethod('saveCheckpoint')).toBe(false);
    expect(isStudioMethod('constructor')).toBe(false);
  });

  it('passes the engine progress events as they are', () => {
    const step = {
      type: 'step',
      step: 3,
      totalSteps: 10,
      epoch: 0.3,
      trainLoss: 2.1,
      lr: 3e-3,
      charsPerSec: 1000,
      etaSec: 7,
      elapsedSec: 3,
    };
    expect(StudioEventSchema.parse(step)).toEqual(step);
    expect(StudioEventSchema.safeParse({ ...step, trainLoss: 'low' }).success).toBe(false);
  });

  it('refuses a reply without an id', () => {
    expect(ServerMessageSchema.safeParse({ kind: 'reply', ok: true, result: 1 }).success).toBe(
      false,
    );
  });
});

describe('the WebSocket wire format', () => {
  it('carries bytes through JSON unchanged', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const back = decodeWire(encodeWire({ kind: 'request', params: { bytes, name: 'x' } })) as {
      params: { bytes: Uint8Array; name: string };
    };
    expect(back.params.bytes).toBeInstanceOf(Uint8Array);
    expect([...back.params.bytes]).toEqual([...bytes]);
    expect(back.params.name).toBe('x');
  });
});

describe('the parameter count', () => {
  it('matches the engine for a two-layer model', async () => {
    const { countParams } = await import('../../src/main/engine/model');
    const config = {
      vocabSize: 65,
      embedSize: 64,
      hiddenSize: 256,
      numLayers: 2,
      dropout: 0,
      headDropout: 0,
    };
    expect(paramCount(config)).toBe(countParams(config));
  });
});

describe('the generator options', () => {
  const valid = {
    length: 10,
    temperature: 0,
    topK: 0,
    topP: 1,
    prime: '',
    seed: 1,
    dropUnknown: true,
  };

  it('accepts greedy sampling', () => {
    expect(generateProblems(valid)).toEqual([]);
  });

  it('says what each bad field should be, also for an emptied number field', () => {
    expect(generateProblems({ ...valid, topP: 0, length: null })).toEqual([
      'Length must be a whole number from 1 to 1000000.',
      'Top-p must be greater than 0 and at most 1 (1 keeps all).',
    ]);
  });
});
