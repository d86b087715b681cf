/**
 * `npm test` needs dist/ (tests run the CLI as users do). `npm install` has just built it
 * (`prepare`): build again only when a source changed since the last build, so one
 * `npm install && npm test` builds once and an edit is never tested against a stale dist.
 */
import { execSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const STAMP = 'dist/.build-stamp'
const SOURCES = ['src', 'reporters', 'report-viewer', 'tsconfig.json', 'package.json', 'scripts/render-help.mjs']

function newest(path) {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let t = 0
  for (const e of readdirSync(path)) if (e !== 'node_modules') t = Math.max(t, newest(join(path, e)))
  return t
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0
const changed = Math.max(...SOURCES.filter(existsSync).map(newest))
if (built === 0 || changed > built) {
  execSync('npm run build', { stdio: 'inherit' })
} else {
  console.log('dist/ is up to date with the sources: not built again')
}
