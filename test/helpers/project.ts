/** Small fixture projects for end-to-end runs of `npx llmbench`, as a user's repository would be. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

/** Writes the files into a new folder that has llmbench installed (a link to this repository). */
export function makeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'llmbench-project-'))
  mkdirSync(join(root, 'node_modules'))
  symlinkSync(REPO, join(root, 'node_modules', 'llmbench'), 'dir')
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

/** A bench file whose scenario runs against a simulator it starts itself. */
export function simBench(name: string, body: string, options = '{}'): string {
  return `import { afterAll, beforeAll, bench, describe, expect, expectGoodput, startSimulator } from 'llmbench'
let sim: Awaited<ReturnType<typeof startSimulator>>
describe('${name}', () => {
  beforeAll(async () => { sim = await startSimulator({ port: 0, decodeBaseMs: 2, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001 }) })
  afterAll(async () => { await sim.close() })
${body.replace(/OPTIONS/g, `() => ({ server: sim.url, model: 'sim-model', concurrency: [1, 2], requests: 4, input: { tokens: 16 }, output: { tokens: 8 }, ...${options} })`)}
})
`
}
