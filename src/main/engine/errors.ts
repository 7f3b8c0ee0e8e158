/**
 * The one error type the engine throws on purpose. Its message says what was wrong and
 * what to do; callers (CLI, app) show `message` as it is and never a stack trace.
 */
export class FolioError extends Error {
  constructor(
    message: string,
    /** A stable tag so the app can react to a kind of problem without parsing text. */
    readonly code: FolioErrorCode = 'invalid-input',
  ) {
    super(message);
    this.name = 'FolioError';
  }
}

export type FolioErrorCode =
  | 'invalid-input'
  | 'invalid-setting'
  | 'bad-corpus'
  | 'bad-checkpoint'
  | 'io'
  | 'non-finite'
  | 'unknown-characters';
