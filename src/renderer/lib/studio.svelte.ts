/**
 * The studio's state and actions, shared by the panels: the corpus, the model, the run's
 * progress, the loss history and the generator. Talks to the trainer only through a
 * Platform, so it is the same in Electron and in a browser.
 */
import type {
  BackendInfo,
  CorpusOptions,
  CorpusSummary,
  GenerateOptions,
  ModelSummary,
  StudioEvent,
} from '../../shared/contract';
import type { DoneEvent, EvalEvent, StartEvent, StepEvent } from '../../shared/events';
import type { MenuCommand } from '../../shared/channels';
import { studioWords } from './format';
import { LossHistory } from './history.svelte';
import { fileBytes, type Platform } from './platform';
import { SettingsForm } from './settings.svelte';

export interface Generation {
  id: string;
  /** The prime this text continues (shown before it, not part of it). */
  prime: string;
  text: string;
  running: boolean;
  error: string;
}

/** A user-facing message from anything thrown (RemoteError and friends carry one). */
export function messageOf(err: unknown): string {
  return studioWords(err instanceof Error ? err.message : String(err));
}

/** The error's code, where it has one (a RemoteError carries the trainer's). */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class Studio {
  backend = $state.raw<BackendInfo | null>(null);
  builtin = $state<{ name: string; bytes: number } | null>(null);
  /** Set when the studio cannot work at all (no connection). */
  fatal = $state('');
  /** One line of news: autosaves, warnings, a lost trainer. */
  notice = $state('');

  // Summaries and events are replaced whole, never changed in place: $state.raw spares
  // Svelte from wrapping a model's 100,000-point loss history in proxies.
  corpus = $state.raw<CorpusSummary | null>(null);
  corpusOptions = $state<CorpusOptions>({ encoding: 'utf-8', normalizeNewlines: true });
  corpusBusy = $state('');
  corpusError = $state('');

  model = $state.raw<ModelSummary | null>(null);
  checkpointBusy = $state('');
  checkpointError = $state('');
  checkpointNotice = $state('');

  running = $state(false);
  start = $state.raw<StartEvent | null>(null);
  step = $state.raw<StepEvent | null>(null);
  lastEval = $state.raw<EvalEvent | null>(null);
  done = $state.raw<DoneEvent | null>(null);
  trainError = $state('');
  /** Resume was refused for characters the model lacks: offer to add them and resume. */
  offerVocabExtension = $state(false);

  generation = $state<Generation>({ id: '', prime: '', text: '', running: false, error: '' });
  generateOptions = $state<GenerateOptions>({
    length: 400,
    temperature: 0.8,
    topK: 0,
    topP: 1,
    prime: '',
    seed: 1,
    // Unknown prime characters are listed, and dropped only when the user ticks the box.
    dropUnknown: false,
  });
  /** Steps between fresh samples during a run; 0 turns them off. */
  sampleEvery = $state(0);

  readonly history = new LossHistory();

  /** The model's step and losses as of now: live during a run, else from its summary. */
  progress = $derived({
    step: this.step?.step ?? this.model?.step ?? 0,
    trainLoss: this.step?.trainLoss ?? this.model?.trainLoss.at(-1)?.[1],
    valLoss: this.lastEval?.valLoss ?? this.model?.valLoss.at(-1)?.[1],
    bestValLoss: this.lastEval?.bestValLoss ?? this.model?.bestValLoss ?? undefined,
  });
  readonly settings = new SettingsForm();
  private nextGeneration = 1;

  constructor(readonly platform: Platform) {}

  /** Subscribes to events, then takes over the trainer's state (a reload keeps the run). */
  async connect(): Promise<void> {
    this.platform.onEvent((event) => this.onEvent(event));
    this.platform.onDisconnect((message) => (this.fatal = message));
    this.platform.onMenu((command) => void this.onMenu(command));
    try {
      await this.takeTrainerState();
    } catch (err) {
      this.fatal = messageOf(err);
    }
  }

  /** Shows what the trainer holds: on connecting, and after a new trainer has started. */
  private async takeTrainerState(): Promise<void> {
    const hello = await this.platform.call('hello', {});
    this.backend = hello.backend;
    this.builtin = hello.builtinCorpus;
    this.corpus = hello.corpus;
    this.running = hello.training;
    if (hello.model) this.showModel(hello.model);
    else this.model = null;
  }

  // -------------------------------------------------------------------------------------
  // Corpus

  openCorpusFile(): Promise<void> {
    return this.loadCorpus('Opening…', () => this.platform.openCorpusFile(this.corpusOptions));
  }

  openBuiltinCorpus(): Promise<void> {
    const name = this.builtin?.name ?? 'the built-in corpus';
    return this.loadCorpus(`Loading ${name} (downloaded once, then cached)…`, () =>
      this.platform.call('openBuiltinCorpus', this.corpusOptions),
    );
  }

  /** A dropped file: a .ckpt opens as the model, anything else as the corpus. */
  dropFile(file: File): Promise<void> {
    if (file.name.toLowerCase().endsWith('.ckpt')) {
      return this.showOpenedModel(async () =>
        this.platform.call('openCheckpoint', { name: file.name, bytes: await fileBytes(file) }),
      );
    }
    return this.loadCorpus(`Reading ${file.name}…`, async () =>
      this.platform.call('openCorpus', {
        ...this.corpusOptions,
        name: file.name,
        bytes: await fileBytes(file),
      }),
    );
  }

  private async loadCorpus(busy: string, load: () => Promise<CorpusSummary | null>) {
    this.corpusBusy = busy;
    this.corpusError = '';
    try {
      const corpus = await load();
      if (corpus) {
        this.corpus = corpus;
        this.offerVocabExtension = false; // it was about the text before this one
      }
    } catch (err) {
      this.corpusError = messageOf(err);
    } finally {
      this.corpusBusy = '';
    }
  }

  // -------------------------------------------------------------------------------------
  // Training

  /**
   * Starts a new model from the form (resume false) or trains the current one further;
   * `extendVocab` adds the corpus's new characters to the model's vocabulary first.
   */
  async train(resume: boolean, extendVocab = false): Promise<void> {
    const values = this.settings.values();
    this.offerVocabExtension = false;
    if (!values) {
      this.trainError = 'Fix the settings marked in the form first.';
      return;
    }
    this.trainError = '';
    this.done = null;
    try {
      const start = await this.platform.call('train', { ...values, resume, extendVocab });
      this.start = start;
      this.running = true;
      if (!resume) this.checkpointNotice = ''; // "Opened x.ckpt" was about the model before
      await this.refreshModel(); // the new model can generate and save while it trains
    } catch (err) {
      this.trainError = messageOf(err);
      // The refusal lists the characters; the panel offers to add them, never silently.
      this.offerVocabExtension = resume && codeOf(err) === 'unknown-characters';
    }
  }

  async stop(): Promise<void> {
    try {
      await this.platform.call('stop', {});
    } catch (err) {
      this.trainError = messageOf(err);
    }
  }

  private onEvent(event: StudioEvent): void {
    switch (event.type) {
      case 'start':
        // Step events may overtake the reply to 'train', so the run's state starts here.
        this.start = event;
        this.running = true;
        this.step = null;
        if (event.step === 0) {
          this.history.reset([], []);
          this.lastEval = null;
        }
        break;
      case 'step':
        this.step = event;
        this.history.addTrain(event.step, event.trainLoss);
        if (this.sampleEvery > 0 && event.step % this.sampleEvery === 0) {
          if (!this.generation.running) void this.generate();
        }
        break;
      case 'eval':
        this.lastEval = event;
        this.history.addVal(event.step, event.valLoss);
        break;
      case 'done':
        this.done = event;
        this.running = false;
        if (event.reason === 'diverged')
          this.trainError = studioWords(event.message ?? 'Training diverged.');
        void this.refreshModel();
        break;
      case 'sample':
        if (event.id === this.generation.id) this.generation.text += event.text;
        break;
      case 'autosaved':
        this.notice =
          event.kind === 'best'
            ? `Best valLoss so far: saved step ${event.step} to ${event.path}`
            : `Autosaved step ${event.step} to ${event.path}`;
        break;
      case 'warning':
        this.notice = event.message;
        break;
      case 'trainError':
        this.running = false;
        this.trainError = studioWords(event.message);
        break;
      case 'trainerLost':
        // The new trainer starts empty (Electron's main reopens the last corpus in it).
        this.running = false;
        this.generation.running = false;
        this.trainError = event.message;
        this.checkpointNotice = '';
        setTimeout(() => void this.takeTrainerState().catch(() => undefined), 1000);
        break;
    }
  }

  /** The model as the trainer has it now: its step, losses and suggested file name. */
  private async refreshModel(): Promise<void> {
    try {
      const hello = await this.platform.call('hello', {});
      if (hello.model) this.model = hello.model;
    } catch {
      // The next action will report the connection problem.
    }
  }

  private showModel(model: ModelSummary): void {
    this.model = model;
    this.offerVocabExtension = false;
    this.history.reset(model.trainLoss, model.valLoss);
    this.lastEval = null;
    this.step = null;
    this.start = null;
    this.done = null;
  }

  // -------------------------------------------------------------------------------------
  // Generation

  async generate(): Promise<void> {
    if (this.generation.running) return;
    const id = `g${this.nextGeneration++}`;
    const options = $state.snapshot(this.generateOptions);
    // Shown before the text as the model read it: without the characters it dropped.
    const known = this.model?.vocab ?? [];
    const prime = options.dropUnknown
      ? [...options.prime].filter((ch) => known.includes(ch)).join('')
      : options.prime;
    this.generation = { id, prime, text: '', running: true, error: '' };
    try {
      await this.platform.call('generate', { id, options });
    } catch (err) {
      if (this.generation.id === id) this.generation.error = messageOf(err);
    } finally {
      if (this.generation.id === id) this.generation.running = false;
    }
  }

  async stopGenerating(): Promise<void> {
    await this.platform.call('stopGenerate', { id: this.generation.id }).catch(() => undefined);
  }

  async saveText(): Promise<void> {
    const base = (this.model?.name ?? 'sample').replace(/\.ckpt$/, '');
    try {
      const { prime, text } = this.generation;
      await this.platform.saveText(`${base}-sample.txt`, prime + text);
    } catch (err) {
      this.generation.error = messageOf(err);
    }
  }

  // -------------------------------------------------------------------------------------
  // Checkpoints

  async saveCheckpoint(as: boolean): Promise<void> {
    await this.checkpointAction('Saving…', async () => {
      const name = await this.platform.saveCheckpoint(as);
      if (name) this.checkpointNotice = `Saved ${name}`;
      await this.refreshModel(); // the model now goes by the saved file's name
    });
  }

  openCheckpoint(): Promise<void> {
    return this.showOpenedModel(() => this.platform.openCheckpointFile());
  }

  private async showOpenedModel(open: () => Promise<ModelSummary | null>): Promise<void> {
    await this.checkpointAction('Opening…', async () => {
      const model = await open();
      if (!model) return;
      this.showModel(model);
      this.settings.loadFrom(model);
      this.checkpointNotice = `Opened ${model.name}`;
    });
  }

  private async checkpointAction(busy: string, action: () => Promise<void>): Promise<void> {
    this.checkpointBusy = busy;
    this.checkpointError = '';
    this.checkpointNotice = '';
    try {
      await action();
    } catch (err) {
      this.checkpointError = messageOf(err);
    } finally {
      this.checkpointBusy = '';
    }
  }

  private async onMenu(command: MenuCommand): Promise<void> {
    const actions: Record<MenuCommand, () => Promise<void>> = {
      openCorpus: () => this.openCorpusFile(),
      openCheckpoint: () => this.openCheckpoint(),
      saveCheckpoint: () => this.saveCheckpoint(false),
      saveCheckpointAs: () => this.saveCheckpoint(true),
      train: () => this.train(false),
      stop: () => this.stop(),
      generate: () => this.generate(),
    };
    await actions[command]();
  }
}
