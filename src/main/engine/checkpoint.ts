/**
 * .ckpt files: the safetensors layout, so Python reads them with `safetensors` and loads
 * the weights into torch with load_state_dict.
 *
 *   u64 little-endian header length | JSON header (space-padded to 8 bytes) | tensor bytes
 *
 * The header maps each tensor name to {dtype: "F32", shape, data_offsets: [begin, end]}
 * (offsets from the first tensor byte; tensors are contiguous and cover the data exactly)
 * and holds `__metadata__`, a map of strings: format, formatVersion, and JSON for config,
 * vocab, training state, corpus and backend. Model weights use PyTorch's names; Adam's
 * moments are stored as `optim.exp_avg.<name>` and `optim.exp_avg_sq.<name>`.
 * docs/checkpoint-format.md is the full description.
 *
 * Writes are atomic (atomic-file.ts: temporary file, fsync, rename), so a crash or a full
 * disk mid-save leaves the previous file whole. Reads check every offset, dtype and shape and refuse
 * anything odd with a message that names the problem.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  checkSetting,
  DEFAULT_TRAIN,
  MODEL_FIELDS,
  type ModelConfig,
  type TrainSettings,
} from '../../shared/settings';
import { writeFileAtomic } from './atomic-file';
import { FolioError, ioError } from './errors';
import { paramShapes } from './model';
import { Vocabulary } from './vocab';

export const FORMAT = 'folio.ckpt';
export const FORMAT_VERSION = 1;

export type HostTensors = Record<string, Float32Array>;

export interface CorpusInfo {
  name: string;
  sha256: string;
  bytes: number;
  chars: number;
  encoding: string;
  normalizeNewlines: boolean;
}

export interface TrainingState {
  /** Optimizer steps taken. */
  step: number;
  settings: TrainSettings;
  bestValLoss: number | null;
  /** [step, loss] pairs, nats/char. */
  trainLoss: [number, number][];
  valLoss: [number, number][];
  /** Seconds spent training, over all runs. */
  elapsedSec: number;
}

export interface Checkpoint {
  config: ModelConfig;
  vocab: string[];
  params: HostTensors;
  /** Adam's moments and step count; absent for a weights-only file. */
  adam?: { step: number; expAvg: HostTensors; expAvgSq: HostTensors };
  training: TrainingState;
  corpus: CorpusInfo;
  /** tfjs backend that wrote the file ('tensorflow', 'wasm' or 'cpu'). */
  backend: string;
  createdAt: string;
}

const MAX_HEADER_BYTES = 256 * 1024 * 1024;

export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const tensors: [string, number[], Float32Array][] = [];
  for (const [name, shape] of paramShapes(ckpt.config)) {
    tensors.push([name, shape, ckpt.params[name]!]);
    if (ckpt.adam) {
      tensors.push([`optim.exp_avg.${name}`, shape, ckpt.adam.expAvg[name]!]);
      tensors.push([`optim.exp_avg_sq.${name}`, shape, ckpt.adam.expAvgSq[name]!]);
    }
  }
  const header: Record<string, unknown> = { __metadata__: metadataOf(ckpt) };
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    if (data.length !== shape.reduce((a, b) => a * b, 1))
      throw new Error(`${name}: size does not match shape`);
    if (!data.every(Number.isFinite)) {
      throw new FolioError(`Refusing to save: ${name} holds NaN or infinite values.`, 'non-finite');
    }
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // tensor data 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, , data] of tensors) {
    // Float32Array bytes are little-endian on every platform Folio runs on (x86, ARM).
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

function metadataOf(ckpt: Checkpoint): Record<string, string> {
  return {
    format: FORMAT,
    formatVersion: String(FORMAT_VERSION),
    config: JSON.stringify(ckpt.config),
    vocab: JSON.stringify(ckpt.vocab),
    training: JSON.stringify(ckpt.training),
    corpus: JSON.stringify(ckpt.corpus),
    backend: ckpt.backend,
    createdAt: ckpt.createdAt,
    adamStep: String(ckpt.adam?.step ?? 0),
  };
}

/** Writes atomically: the file at `path` is either the old one or the new one, never half. */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(ckpt), 'save the checkpoint');
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      const what = info.isDirectory() ? 'a folder' : 'not a regular file';
      throw new FolioError(`${path} is ${what}; give the path of a .ckpt file.`, 'io');
    }
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof FolioError) throw err;
    throw ioError(err, path, 'read the checkpoint');
  }
  return decodeCheckpoint(bytes, basename(path));
}

export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  const fail = (problem: string): never => {
    const sentence = problem.replace(/\.(\)?)$/, '$1'); // a quoted message's period: ours ends it
    throw new FolioError(
      `${name} is not a usable Folio checkpoint: ${sentence}.`,
      'bad-checkpoint',
    );
  };
  if (bytes.length < 8) fail(`it is ${bytes.length} bytes long, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  // A real header length has zero high bytes; eight printable ones mean a text file.
  if (bytes.subarray(0, 8).every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a)) {
    const start = JSON.stringify(Buffer.from(bytes.subarray(0, 12)).toString('latin1'));
    fail(
      `it starts with text (${start}…): it looks like a text file, not a checkpoint ` +
        '(checkpoints are what train saves)',
    );
  }
  if (headerLength > bytes.length - 8 || headerLength > MAX_HEADER_BYTES) {
    fail(
      `its header claims ${headerLength} bytes but the file has ${bytes.length - 8} ` +
        'after the length; it is truncated or not a checkpoint',
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8'),
    ) as Record<string, unknown>;
  } catch {
    return fail('its header is not valid JSON; the file is damaged or not a checkpoint');
  }
  if (typeof header !== 'object' || header === null) fail('its header is not a JSON object');
  const meta = header['__metadata__'] as Record<string, unknown> | undefined;
  if (!meta || meta['format'] !== FORMAT)
    fail(`it has no "${FORMAT}" format tag (is it another program's safetensors file?)`);
  const version = Number(meta!['formatVersion']);
  if (!Number.isInteger(version) || version < 1)
    fail(`its format version "${String(meta!['formatVersion'])}" is not valid`);
  if (version > FORMAT_VERSION) {
    fail(
      `it was written by a newer Folio (format ${version}; this Folio reads up to ` +
        `${FORMAT_VERSION}); update Folio to open it`,
    );
  }
  const field = <T>(key: string): T => {
    const text = meta![key];
    if (typeof text !== 'string') return fail(`the metadata field "${key}" is missing`);
    try {
      return JSON.parse(text) as T;
    } catch {
      return fail(`the metadata field "${key}" is not valid JSON`);
    }
  };
  const config = field<ModelConfig>('config');
  checkConfig(config, fail);
  const vocab = field<string[]>('vocab');
  if (!Array.isArray(vocab) || vocab.length !== config.vocabSize) {
    fail(
      `its vocabulary has ${Array.isArray(vocab) ? vocab.length : 'no'} entries ` +
        `but the config says ${config.vocabSize}`,
    );
  }
  try {
    new Vocabulary(vocab);
  } catch (err) {
    fail(`its vocabulary is invalid (${(err as Error).message})`);
  }
  const training = field<TrainingState>('training');
  checkTraining(training, fail);
  const corpus = field<CorpusInfo>('corpus');
  checkCorpusInfo(corpus, fail);

  const data = bytes.subarray(8 + headerLength);
  const ranges: [number, number, string][] = [];
  const read = (tensor: string, shape: number[]): Float32Array => {
    const entry = header[tensor] as
      { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | undefined;
    if (!entry) return fail(`the tensor ${tensor} is missing`);
    if (entry.dtype !== 'F32') fail(`${tensor} has dtype ${String(entry.dtype)}, expected F32`);
    if (JSON.stringify(entry.shape) !== JSON.stringify(shape)) {
      fail(
        `${tensor} has shape ${JSON.stringify(entry.shape)}, but the config needs ${JSON.stringify(shape)}`,
      );
    }
    const offsets = entry.data_offsets as number[];
    const [begin, end] = Array.isArray(offsets) ? offsets : [];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin! < 0 || end! < begin!) {
      fail(`${tensor} has invalid data offsets ${JSON.stringify(offsets)}`);
    }
    if (end! > data.length) {
      fail(
        `${tensor}'s data (bytes ${begin}-${end}) runs past the end of the file ` +
          `(${data.length} data bytes); the file is truncated`,
      );
    }
    if (end! - begin! !== 4 * shape.reduce((a, b) => a * b, 1))
      fail(`${tensor}'s byte size does not match its shape`);
    ranges.push([begin!, end!, tensor]);
    const copy = new Uint8Array(end! - begin!); // aligned, and detached from Node's Buffer pool
    copy.set(data.subarray(begin, end));
    const values = new Float32Array(copy.buffer);
    if (!values.every(Number.isFinite)) fail(`${tensor} holds NaN or infinite values`);
    return values;
  };

  const shapes = paramShapes(config);
  const params: HostTensors = {};
  for (const [tensor, shape] of shapes) params[tensor] = read(tensor, shape);
  let adam: Checkpoint['adam'];
  if (header[`optim.exp_avg.${shapes[0]![0]}`] !== undefined) {
    adam = { step: Number(meta!['adamStep']), expAvg: {}, expAvgSq: {} };
    if (!Number.isInteger(adam.step) || adam.step < 0) fail('its optimizer step count is invalid');
    for (const [tensor, shape] of shapes) {
      adam.expAvg[tensor] = read(`optim.exp_avg.${tensor}`, shape);
      adam.expAvgSq[tensor] = read(`optim.exp_avg_sq.${tensor}`, shape);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) fail(`${ranges[i]![2]} overlaps ${ranges[i - 1]![2]}`);
  }
  return {
    config,
    vocab,
    params,
    ...(adam ? { adam } : {}),
    training,
    corpus,
    backend: String(meta!['backend'] ?? 'unknown'),
    createdAt: String(meta!['createdAt'] ?? ''),
  };
}

function checkConfig(config: ModelConfig, fail: (problem: string) => never): void {
  if (typeof config !== 'object' || config === null) fail('its config is not an object');
  // Checkpoints written before headDropout existed trained without it.
  config.headDropout ??= 0;
  for (const key of MODEL_FIELDS) {
    const problem = checkSetting(key, config[key]);
    if (problem) fail(`its config is invalid: ${problem}`);
  }
  if (!Number.isInteger(config.vocabSize) || config.vocabSize < 2 || config.vocabSize > 1_114_112) {
    fail(`its vocabSize ${config.vocabSize} is not valid`);
  }
}

/** The training state must be usable as it is: every setting in range, histories well formed. */
function checkTraining(t: TrainingState, fail: (problem: string) => never): void {
  if (typeof t !== 'object' || t === null) fail('its training state is not an object');
  if (!Number.isInteger(t.step) || t.step < 0 || t.step > 1e9) {
    fail(`its training step ${String(t.step)} is not a whole number from 0 to 1e9`);
  }
  if (typeof t.settings !== 'object' || t.settings === null)
    fail('its training settings are missing');
  // Checkpoints written before lrDecay existed trained at a constant lr; resume them so.
  t.settings.lrDecay ??= 0;
  for (const name of Object.keys(DEFAULT_TRAIN) as (keyof TrainSettings)[]) {
    const problem = checkSetting(name, t.settings[name]);
    if (problem) fail(`its training settings are invalid: ${problem}`);
  }
  const pairs = (list: unknown) =>
    Array.isArray(list) &&
    list.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite));
  if (!pairs(t.trainLoss) || !pairs(t.valLoss)) fail('its loss history is malformed');
  if (t.bestValLoss !== null && !Number.isFinite(t.bestValLoss)) fail('its bestValLoss is invalid');
  if (!Number.isFinite(t.elapsedSec) || t.elapsedSec < 0) fail('its elapsed time is invalid');
}

function checkCorpusInfo(c: CorpusInfo, fail: (problem: string) => never): void {
  const ok =
    typeof c === 'object' &&
    c !== null &&
    typeof c.name === 'string' &&
    typeof c.sha256 === 'string' &&
    typeof c.encoding === 'string' &&
    Number.isFinite(c.chars) &&
    Number.isFinite(c.bytes);
  if (!ok) fail('its corpus description is incomplete');
}
