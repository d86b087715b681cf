/**
 * Errors a user can act on. Their message is one line naming the problem and the fix; the CLI
 * prints it without a stack trace and exits with the code of its kind (exit-codes.ts).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The tool could not do its job (a server went away, a file could not be written). */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError'
}
