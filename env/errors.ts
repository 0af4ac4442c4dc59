/**
 * Errors a user can cause (a bad file, script, config or argument). Every one names the
 * input and says how to fix it; the CLI prints `error: <message>` on one line and exits 2,
 * never a stack trace. Code that is not at fault for user input throws plain `Error`s.
 */
export class HearthError extends Error {
  /** A short machine-readable kind, e.g. `graph.unknown_state`, `cli.usage`. */
  readonly kind: string;
  /** What the user can do about it (appended to the message when printed). */
  readonly hint?: string;

  constructor(kind: string, message: string, hint?: string) {
    super(message);
    this.name = 'HearthError';
    this.kind = kind;
    this.hint = hint;
  }

  /** One line for the terminal: the message, then the fix. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export function isHearthError(e: unknown): e is HearthError {
  return e instanceof HearthError;
}
