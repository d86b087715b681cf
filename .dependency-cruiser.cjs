// Floors point down (docs/architecture.md): no import cycle anywhere in src/ and reporters/, type-only
// imports included, and each top-level folder imports only the folders below it in scripts/floors.cjs.
// `npm run check:deps` runs this in CI.

const { FLOORS } = require('./scripts/floors.cjs')

/** `src/x/…`, `src/x.ts` and `reporters/…` as a folder name. */
const folder = (name) => (name === 'reporters' ? '^reporters/' : `^src/${name}(/|\\.ts$)`)

const forbidden = [
  { name: 'no-circular', comment: 'an import cycle (type-only imports count too)', severity: 'error', from: {}, to: { circular: true } },
]
FLOORS.forEach((names, i) => {
  const above = FLOORS.slice(i + 1).flat()
  if (!above.length) return
  forbidden.push({
    name: `floor-${names.join('-')}`,
    comment: `${names.join(', ')} may not import a higher floor (${above.join(', ')})`,
    severity: 'error',
    from: { path: names.map(folder) },
    to: { path: above.map(folder) },
  })
})

module.exports = {
  forbidden,
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
}
