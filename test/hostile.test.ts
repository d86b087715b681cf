/**
 * Hostile text from a server or a bench file (terminal control sequences, XML-breaking characters,
 * Markdown and HTML, GitHub workflow commands) is escaped wherever it is shown: stripped on the
 * terminal, escaped in JUnit XML and in GitHub's step summary and annotations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { stripControls, stripEscapes, terminalLine, terminalText } from '../src/text/sanitize.js'
import { runCli } from './helpers/cli.js'
import { makeProject } from './helpers/project.js'

/** What a hostile server puts in its messages: clear screen, retitle, hidden link, overwrite, XML, Markdown, HTML, a workflow command. */
const HOSTILE = 'model \x1b[2J\x1b[H\x1b]0;pwned title\x07\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ gone\r\rFAKE OK\b\b\b ' +
  '<script>alert(1)</script> ]]> &amp; "q" \'a\' | **bold** [link](http://evil.example) ![img](http://evil.example/x.png) # head\n::error::injected\n::add-mask::x \u202eevil\u202c \x9b31m'

/** Short enough that vLLM's JSON error shape fits the 200 bytes of body llmbench keeps. */
const HOSTILE_404 = 'm \x1b[2J\x1b]0;pwned\x07x\r\rFAKE\b <b>&</b>\n::error::i'

/** A terminal-safe text: no escape, control (but LF), C1 or bidi character, and no line that is a workflow command. */
function expectTerminalSafe(text: string, allowAnnotations = false): void {
  expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/)
  for (const line of text.split('\n')) {
    if (allowAnnotations && /^::error file=/.test(line)) continue
    expect(line.trimStart().startsWith('::'), line).toBe(false)
  }
}

let raw: Server
let rawUrl = ''
let sim: Simulator
const dir = mkdtempSync(join(tmpdir(), 'llmbench-hostile-'))

/**
 * A raw HTTP/1.1 server on node:net: `/v1/models` lists a hostile model name; chat requests for
 * `model-404` (or the hostile model) get a 404 whose JSON message is hostile (vLLM's shape), any
 * other model a 500 whose plain-text body is the hostile text itself, raw bytes. Each answer closes
 * the connection.
 */
function startRaw(): Promise<void> {
  raw = createServer((socket: Socket) => {
    let buffered = Buffer.alloc(0)
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      const end = buffered.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buffered.subarray(0, end).toString('latin1')
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
      if (buffered.length < end + 4 + length) return
      const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8')
      const path = head.split(' ')[1]
      let status = 500
      let payload: unknown = { error: { message: `The model \`${HOSTILE_404}\` does not exist.`, type: 'NotFoundError', code: 404 } }
      if (path === '/v1/models') {
        status = 200
        payload = { object: 'list', data: [{ id: HOSTILE, object: 'model' }] }
      } else if (body.includes('"model-404"') || body.includes(JSON.stringify(HOSTILE).slice(1, 20))) {
        status = 404
      }
      const text = status === 500 ? HOSTILE : JSON.stringify(payload)
      socket.end(`HTTP/1.1 ${status} X\r\ncontent-type: ${status === 500 ? 'text/plain' : 'application/json'}\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`)
    })
  })
  return new Promise((r) => raw.listen(0, '127.0.0.1', () => {
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`
    r()
  }))
}

beforeAll(async () => {
  await startRaw()
  sim = await startSimulator({ decodeBaseMs: 1, decodeMsPerSeq: 0.01, prefillBaseMs: 1, prefillMsPerToken: 0.001 })
})
afterAll(async () => {
  await new Promise((r) => raw.close(r))
  await sim.close()
})

describe('the sanitizer', () => {
  it('removes escape sequences whole, controls and bidi overrides, and breaks up workflow commands', () => {
    expect(stripEscapes('a\x1b[31mred\x1b[0m \x1b]0;title\x07b \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1bc \x9b2J.')).toBe('ared b link  .')
    expect(stripControls('x\r\ny\bz\x00\x7f\x85\u202eq\tw')).toBe('x\r\nyzq\tw')
    expect(terminalText('one\r\ntwo\rthree\n  ::error::x\n::warning::y')).toBe('one\ntwo\nthree\n  : :error::x\n: :warning::y')
    expect(terminalLine('::error::a\n\n b\tc\x1b[2J', 8)).toBe(': :erro…')
    expect(terminalLine(HOSTILE)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/)
  })
})

describe('llmbench run against a hostile server', () => {
  it('a 404 with a hostile message: one clean stderr line, exit 2', async () => {
    const r = await runCli(['run', '--server', rawUrl, '--model', 'model-404', '--num-prompts', '1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^llmbench: the server at .* does not serve model "model-404": The model `m x FAKE <b>&<\/b> ::error::i` does not exist\. Pick/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expectTerminalSafe(r.stdout + r.stderr)
    expect(r.stderr).not.toContain('pwned title')
    expect(r.stderr).not.toContain('evil.example\x1b')
  })

  it('a hostile model name from /v1/models and hostile 500 bodies: header line, tables and error lines clean, and so is the file', async () => {
    const out = join(dir, 'hostile.json')
    const r = await runCli(['run', '--server', rawUrl, '--model', 'any', '--num-prompts', '3', '--input-len', '8', '--output-len', '4', '--output', out])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/http \(3, first shown\): HTTP 500: model click gone FAKE OK <script>/)
    expectTerminalSafe(r.stdout + r.stderr)
    // The result file holds what the terminal shows (README, issue 20 item 15): the text without its escapes.
    const result = JSON.parse(readFileSync(out, 'utf8'))
    const message = result.levels[0].records.at(-1).error.message
    expect(message).toContain('model click gone\r\rFAKE OK <script>')
    expect(message).not.toMatch(/[\x1b\x07]/)

    const detected = await runCli(['run', '--server', rawUrl, '--num-prompts', '1', '--input-len', '8', '--output-len', '4'])
    expect(detected.stdout).toMatch(/^llmbench run: model .*gone FAKE OK/)
    expectTerminalSafe(detected.stdout + detected.stderr)
    // The detected (hostile) model gets a 404: the preflight line quotes it, cleaned.
    expect(detected.code).toBe(2)
    expect(detected.stderr).toMatch(/does not serve model "model .*"/)
  })
})

describe('npx llmbench with hostile names and messages', () => {
  it('console, JUnit and GitHub annotations and summary escape everything', async () => {
    const summary = join(dir, 'summary.md')
    const hostile = JSON.stringify(HOSTILE)
    const root = makeProject({
      'hostile.bench.ts': `import { bench, describe, expect } from 'llmbench'
const HOSTILE = ${hostile}
describe('evil ' + HOSTILE, () => {
  bench('scenario ' + HOSTILE, { server: process.env.SIM_URL, model: 'sim-model', concurrency: [1], requests: 2, input: { tokens: 8 }, output: { tokens: 4 }, slo: { 'ttft.p50': '< 0.001' } }, (result) => {
    expect(result.level(1).ttft.p50).toBeLessThan(0)
    throw new Error('assertion blew up: ' + HOSTILE)
  })
  bench('server ' + HOSTILE, { server: process.env.RAW_URL, model: 'model-404', concurrency: [1], requests: 1 })
})
`,
    })
    const r = await runCli(['--root', root, '--reporter', 'console', '--reporter', 'junit', '--reporter', 'github', '--reporter', 'json'], {
      SIM_URL: sim.url,
      RAW_URL: rawUrl,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    }, 90_000)
    expect(r.code).toBe(3)

    // Terminal: no sequence, no control, no injected workflow command (only the reporter's own annotations).
    expectTerminalSafe(r.stdout + r.stderr, true)
    expect(r.stdout).toContain('assertion blew up: model')
    expect(r.stdout).toMatch(/does not serve model "model-404": The model `m x FAKE <b>&<\/b> ::error::i` does not exist\./)
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'))
    expect(annotations.length).toBeGreaterThanOrEqual(3)
    for (const a of annotations) {
      expect(a).toMatch(/^::error file=hostile\.bench\.ts(,line=\d+)?(,col=\d+)?,title=[^:]*::/)
      // The data of a workflow command is one line, and its own % and line breaks are escaped.
      expect(a).not.toMatch(/%(?!25|0A|0D|3A|2C)/)
    }

    // JUnit: well-formed, the hostile text comes back as text (escape sequences gone, XML characters escaped).
    const xml = readFileSync(join(root, 'llmbench-results/junit.xml'), 'utf8')
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/)
    expect(xml).not.toContain('<script>')
    expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp;amp;')
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml)
    const cases = [parsed.testsuites.testsuite.testcase].flat()
    expect(cases.some((c: Record<string, string>) => c['@_name'].includes('<script>alert(1)</script>'))).toBe(true)

    // GitHub step summary: no raw HTML or Markdown markup, no control character, table cells whole.
    const md = readFileSync(summary, 'utf8')
    expect(md).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/)
    expect(md).not.toMatch(/(?<!\\)<script>/)
    expect(md).not.toMatch(/(?<!\\)\[link\]/)
    expect(md).not.toMatch(/(?<!\\)\*\*bold/)
    expect(md).toContain('\\<script\\>alert(1)\\</script\\>')
    expect(md).toContain('\\| \\*\\*bold\\*\\* \\[link\\](http://evil.example) !\\[img\\]')
    for (const line of md.split('\n')) expect(line.trimStart().startsWith('::')).toBe(false)
  }, 120_000)
})
