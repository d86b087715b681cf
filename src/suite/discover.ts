/** Finds bench files: the config's include and exclude globs, narrowed by positional filters. */
import { glob } from 'tinyglobby'

export async function discoverFiles(root: string, include: string[], exclude: string[], filters: string[]): Promise<string[]> {
  const files = await glob(include, { cwd: root, ignore: exclude, absolute: false, dot: false })
  const normalized = files.map((f) => f.split('\\').join('/')).sort()
  if (!filters.length) return normalized
  // As in Vitest: a filter keeps the files whose path contains it.
  return normalized.filter((f) => filters.some((p) => f.includes(p.replace(/^\.\//, ''))))
}
