/** Every exit code of llmbench, in one place (documented in the README). */
export const EXIT = {
  /** Everything ran and every objective was met. */
  OK: 0,
  /** An objective or assertion failed: the server missed its targets. */
  OBJECTIVE_FAILED: 1,
  /** A usage or configuration error: a flag, a config key, an unreachable server, an unknown model. */
  USAGE: 2,
  /** The tool failed at run time, a bench file crashed, or the server went away during `llmbench run`. */
  RUNTIME: 3,
  /** Interrupted by the user (SIGINT), as shells report 128 + 2. */
  INTERRUPTED: 130,
} as const
