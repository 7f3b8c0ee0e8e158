/**
 * The settings form: every hyperparameter of the CLI, from the shared SETTINGS table,
 * with presets, checks as you type, and memory of the last values (localStorage).
 */
import type { ModelSummary } from '../../shared/contract';
import {
  checkSetting,
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  MODEL_FIELDS,
  SETTINGS,
  TRAIN_FIELDS,
  type ModelConfig,
  type SettingName,
  type TrainSettings,
} from '../../shared/settings';
import { studioWords } from './format';

export { MODEL_FIELDS, TRAIN_FIELDS };

type Values = Record<SettingName, number | null>;
type Shape = Omit<ModelConfig, 'vocabSize'>;

export const PRESETS: Record<string, { help: string; values: Shape & TrainSettings }> = {
  Quick: {
    help: 'a small model that learns something in a minute or two',
    values: {
      ...DEFAULT_MODEL,
      ...DEFAULT_TRAIN,
      embedSize: 32,
      hiddenSize: 128,
      seqLen: 64,
      batchSize: 16,
      steps: 500,
      evalEvery: 100,
    },
  },
  Shakespeare: {
    help: 'the defaults: Tiny Shakespeare to a valLoss under 1.50 in about 15 minutes on 2 cores',
    values: { ...DEFAULT_MODEL, ...DEFAULT_TRAIN },
  },
  Large: {
    help: 'two wide layers with dropout; wants a big corpus and a fast backend',
    values: {
      ...DEFAULT_TRAIN,
      embedSize: 128,
      hiddenSize: 512,
      numLayers: 2,
      dropout: 0.2,
      headDropout: 0.2,
      seqLen: 128,
      batchSize: 64,
      lr: 2e-3,
      steps: 10_000,
      evalEvery: 500,
    },
  },
};

const STORAGE_KEY = 'folio.settings';

export class SettingsForm {
  fields = $state<Values>(load());

  /** The preset whose values the form holds, or 'Custom'. */
  preset = $derived(
    Object.keys(PRESETS).find((name) =>
      (Object.keys(SETTINGS) as SettingName[]).every(
        (key) => PRESETS[name]!.values[key] === this.fields[key],
      ),
    ) ?? 'Custom',
  );

  /** One message per invalid field, as the user types. */
  problems = $derived(
    Object.fromEntries(
      (Object.keys(SETTINGS) as SettingName[])
        .map((name) => [name, problemOf(name, this.fields[name])] as const)
        .filter(([, problem]) => problem !== undefined),
    ) as Partial<Record<SettingName, string>>,
  );

  usePreset(name: string): void {
    const preset = PRESETS[name];
    if (preset) this.fields = { ...preset.values };
  }

  /** Shows a loaded model's shape and its last run's settings. */
  loadFrom(model: ModelSummary): void {
    const { vocabSize: _vocabSize, ...shape } = model.config;
    this.fields = { ...shape, ...model.settings };
  }

  /** The values to train with, or null while any field is invalid. Remembers valid ones. */
  values(): { model: Shape; settings: TrainSettings } | null {
    if (Object.keys(this.problems).length > 0) return null;
    const f = this.fields as Record<SettingName, number>;
    const model = Object.fromEntries(MODEL_FIELDS.map((k) => [k, f[k]])) as unknown as Shape;
    const settings = Object.fromEntries(
      TRAIN_FIELDS.map((k) => [k, f[k]]),
    ) as unknown as TrainSettings;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(f));
    } catch {
      // Storage may be off (private windows); the form still works.
    }
    return { model, settings };
  }
}

function problemOf(name: SettingName, value: number | null): string | undefined {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return `${SETTINGS[name].label} needs a number.`;
  }
  const problem = checkSetting(name, value);
  return problem && studioWords(problem);
}

/** The last values used, where each is still valid; the Shakespeare preset otherwise. */
function load(): Values {
  const values: Values = { ...DEFAULT_MODEL, ...DEFAULT_TRAIN };
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>;
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const value = saved[name];
      if (typeof value === 'number' && !checkSetting(name, value)) values[name] = value;
    }
  } catch {
    // Nothing saved, or unreadable: keep the defaults.
  }
  return values;
}
