/**
 * Errors as they cross a process boundary: parsing that names the bad fields, the
 * {message, code} a reply carries, and the error a caller gets back. Re-exported by
 * contract.ts; runs anywhere.
 */
import { z } from 'zod';

export const ErrorInfoSchema = z.object({ message: z.string(), code: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/**
 * Parses `value` with `schema`, or throws a ContractError saying what `what` should have
 * been and which fields were wrong ("train params: settings.lr: Learning rate must be …").
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.map(String).join('.');
    return where ? `${where}: ${issue.message}` : issue.message;
  });
  throw new ContractError(`${what}: ${problems.join('; ')}`);
}

/** A message that does not fit the contract. */
export class ContractError extends Error {
  readonly code = 'invalid-message';
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Any thrown value as the {message, code} a reply carries; stacks stay behind. */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { message: err.message, code: typeof code === 'string' ? code : 'internal' };
  }
  return { message: String(err), code: 'internal' };
}

/** An error the other side replied with; `message` is written for the user. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
