/**
 * The bench scripts' command line: `--name value`, `--name=value` and bare `--flag` (true), with
 * everything else in `_`. node:util's parseArgs needs every option declared up front; these
 * scripts take open-ended knobs that are passed on to what they start.
 */
export function parseArgs(argv) {
  const out = { _: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) {
      out._.push(a)
      continue
    }
    const eq = a.indexOf('=')
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1)
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i]
    else out[a.slice(2)] = true
  }
  return out
}

/** A numeric option of `args`, or `fallback` when absent. */
export const numberArg = (args, name, fallback) => (args[name] === undefined ? fallback : Number(args[name]))
