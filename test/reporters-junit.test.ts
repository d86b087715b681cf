// JUnit XML validated against reporters/junit.xsd by xmllint, its counts, names and escaping; the
// JSON reporter; and the round trip: events through the dispatcher give the same files as the result.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { afterEach, describe, expect, it } from 'vitest'
import { ReporterDispatcher } from '../reporters/dispatch.js'
import { writeJsonFile } from '../src/write-file.js'
import { renderJunit, xmlAttr, xmlText } from '../reporters/junit.js'
import { createReporters } from '../reporters/registry.js'
import { replayEvents } from '../reporters/replay.js'
import { redactDeep } from '../src/results/redact.js'
import type { RunResult } from '../src/results/types.js'
import { CHAT_FILE, NASTY, captureStream, chatFile, passing, scenario, suiteResult } from './fixtures/reporters/suite.js'

const XSD = join(import.meta.dirname, '..', 'reporters', 'junit.xsd')
const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'llmbench-junit-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Runs xmllint (stdout and stderr together); a missing xmllint fails the test with what to install. */
function xmllint(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' })
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils) to run the JUnit schema tests')
  }
  if (r.error) throw r.error
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` }
}

function writeXml(xml: string): string {
  const file = join(tmp(), 'junit.xml')
  writeFileSync(file, xml)
  return file
}

/** Well-formed (xmllint's parser) and valid against the shipped XSD. */
function expectValid(xml: string): string {
  const file = writeXml(xml)
  const wellFormed = xmllint(['--noout', file])
  expect(wellFormed.output).toBe('')
  const valid = xmllint(['--noout', '--schema', XSD, file])
  expect(valid.output.trim()).toBe(`${file} validates`)
  expect(valid.ok).toBe(true)
  return file
}

function xpath(file: string, expr: string): string {
  const r = xmllint(['--xpath', expr, file])
  expect(r.ok, r.output).toBe(true)
  return r.output.replace(/\n$/, '') // xmllint ends its answer with a newline
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) })
type Attrs = Record<string, string>
type Doc = { testsuites: Attrs & { testsuite: Array<Attrs & { testcase: Array<Attrs & Record<string, unknown>>; properties?: { property: Attrs[] } }> } }

describe('junit reporter', () => {
  it('validates against the XSD and counts tests, failures, errors and skipped', () => {
    const xml = renderJunit(suiteResult())
    expectValid(xml)
    const doc = parser.parse(xml) as Doc
    const root = doc.testsuites
    expect(root).toMatchObject({ name: 'llmbench', tests: '10', failures: '2', errors: '2', skipped: '2', time: '40.250' })
    const [chat, broken] = root.testsuite
    expect(chat).toMatchObject({ name: CHAT_FILE, tests: '9', failures: '2', errors: '1', skipped: '2', time: '39.500', timestamp: '2025-05-01T12:00:00' })
    expect(broken).toMatchObject({ name: 'bench/broken.bench.ts', tests: '1', failures: '0', errors: '1', skipped: '0' })
    expect(chat.testcase).toHaveLength(9)
    expect(chat.testcase.every((c) => c.classname === CHAT_FILE)).toBe(true)
  })

  it('names a testcase per check with its level, and times it by its level or its share of the scenario', () => {
    const file = expectValid(renderJunit(suiteResult()))
    const names = xpath(file, '//testsuite[1]/testcase/@name').trim().split('\n').map((l) => l.trim())
    expect(names.slice(0, 3)).toEqual([
      'name="qwen &gt; chat › concurrency 1 › ttft.p95 &lt; 800 @ concurrency 1"',
      'name="qwen &gt; chat › concurrency 10 › ttft.p95 &lt; 800 @ concurrency 10"',
      'name="qwen &gt; chat › expect(level(10).tpot.p99).toBeLessThan(50)"',
    ])
    const time = (i: number) => xpath(file, `string(//testsuite[1]/testcase[${i}]/@time)`)
    expect([time(1), time(2), time(3)]).toEqual(['10.100', '11.000', '7.333'])
    expect(xpath(file, 'string(//testcase[5]/failure/@type)')).toBe('objective')
    expect(xpath(file, 'string(//testcase[6]/failure/@type)')).toBe('assertion')
    expect(xpath(file, 'string(//testcase[6]/failure)')).toBe('expect(result.level(50).errorRate).toBe(0)\nexpected: 0\nactual: 0.02')
    expect(xpath(file, 'string(//testcase[@name="qwen > tools"]/error/@message)')).toBe('connect ECONNREFUSED 127.0.0.1:8001')
    expect(xpath(file, 'string(//testcase[@name="qwen > vision"]/skipped/@message)')).toBe('todo')
    expect(xpath(file, 'string(//testsuite[2]/testcase/error/@type)')).toBe('file-error')
    expect(xpath(file, 'string(//testsuite[2]/testcase/error)')).toContain('at bench/broken.bench.ts:3:1')
  })

  it('escapes attributes and text, and strips characters XML 1.0 forbids', () => {
    const file = expectValid(renderJunit(suiteResult()))
    // Parsed back by libxml2, the message is the original minus the BEL control character.
    expect(xpath(file, 'string(//testcase[5]/failure/@message)')).toBe(NASTY.replace('\x07', ''))
    expect(xmlText('a<b>&c\r\n')).toBe('a&lt;b&gt;&amp;c&#13;\n')
    expect(xmlAttr(`<&"'>\t\n`)).toBe('&lt;&amp;&quot;&apos;&gt;&#9;&#10;')
    expect(xmlText('\x00\x08\x0b\x1b[31mred\x1b[0m\uFFFE\uFFFF\uD800ok 😀')).toBe('redok 😀')

    const weird = scenario({
      name: `quo"tes & <tags> ]]> \x01\x1f`,
      status: 'error',
      error: { message: `</error><x y='1'/>\uDFFF`, stack: '<![CDATA[ nope ]]>' },
    })
    const weirdFile = expectValid(renderJunit(suiteResult([{ ...chatFile, file: `dir/<a&b>.bench.ts`, scenarios: [weird] }])))
    expect(xpath(weirdFile, 'string(//testcase/@name)')).toBe('qwen > quo"tes & <tags> ]]> ')
    expect(xpath(weirdFile, 'string(//testcase/error/@message)')).toBe(`</error><x y='1'/>`)
    expect(xpath(weirdFile, 'string(//testcase/error)')).toBe('<![CDATA[ nope ]]>')
    expect(xpath(weirdFile, 'string(//testsuite/@name)')).toBe('dir/<a&b>.bench.ts')
  })

  it('has each level\'s key figures as properties, prefixed by the scenario only when a file has several', () => {
    const single = expectValid(renderJunit(suiteResult([{ ...chatFile, scenarios: [passing] }])))
    const prop = (file: string, name: string) => xpath(file, `string(//property[@name="${name}"]/@value)`)
    expect(prop(single, 'concurrency.10.ttft.p50')).toBe('60')
    expect(prop(single, 'concurrency.10.tpot.p99')).toBe('23.75')
    expect(prop(single, 'concurrency.10.throughput.output')).toBe('12800')
    expect(prop(single, 'concurrency.1.goodput')).toBe('0.95')
    const both = expectValid(renderJunit(suiteResult()))
    expect(prop(both, 'qwen > long prompts › concurrency.50.ttft.p99')).toBe('266')
  })

  it('the schema rejects documents that break it (it really checks)', () => {
    const bad = writeXml('<testsuites><testsuite name="x" tests="one"><testcase/></testsuite></testsuites>')
    const r = xmllint(['--noout', '--schema', XSD, bad])
    expect(r.ok).toBe(false)
    expect(r.output).toMatch(/tests.*not a valid value|'name' is required/)
  })

  it('an empty suite is valid too', () => {
    expectValid(renderJunit(suiteResult([])))
  })
})

describe('json reporter', () => {
  it('writes the suite result atomically and it parses back equal', async () => {
    const root = tmp()
    const [json] = await createReporters(['json'], { root, outputFile: { json: 'out/results.json' } })
    await json.reporter.onRunEnd?.(suiteResult())
    const text = readFileSync(join(root, 'out/results.json'), 'utf8')
    expect(JSON.parse(text)).toEqual(suiteResult())
    expect(text.endsWith('}\n')).toBe(true)
  })

  it('keeps writeJsonFile for `llmbench run`', () => {
    const file = join(tmp(), 'a', 'b.json')
    const doc = { schemaVersion: 1, levels: [] } as unknown as RunResult
    expect(writeJsonFile(file, doc)).toBe(file)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(doc)
  })
})

describe('round trip', () => {
  it('events through the dispatcher give the files the final result alone gives, and JSON reloads them', async () => {
    const root = tmp()
    const result = suiteResult()
    const stderr = captureStream()
    const stdout = captureStream()
    const secret = 'sk-SECRET-123'
    const reporters = await createReporters(
      ['console', 'json', 'junit', ['github', { headers: { authorization: `Bearer ${secret}` } }]],
      { root, stdout, env: {} },
    )
    const d = new ReporterDispatcher(reporters, stderr)
    await d.runStart({ root, files: result.files.map((f) => f.file), startedAt: result.startedAt })
    for (const e of replayEvents(result)) d.dispatch(e)
    await d.runEnd(result)
    expect(stderr.text).toBe('')

    const junit = readFileSync(join(root, 'llmbench-results/junit.xml'), 'utf8')
    expect(junit).toBe(renderJunit(result))
    const reloaded = JSON.parse(readFileSync(join(root, 'llmbench-results/results.json'), 'utf8'))
    // The file holds the text the terminal shows (README): the fixture's BEL is gone, nothing else changed.
    expect(reloaded).toEqual(redactDeep(result))
    expect(JSON.stringify(reloaded)).toContain('912.3 > 800 <&\\"\'> at 50%')
    expect(JSON.stringify(reloaded)).not.toContain('\\u0007')
    expect(renderJunit(reloaded)).toBe(junit)
    expect(stdout.text).toContain('::error file=bench/chat.bench.ts,line=21')
    expect(stdout.text + junit).not.toContain(secret)
    expect(stdout.text).not.toContain('x-api-token')
  })

  it('replays the events the runner sends', () => {
    const events = replayEvents(suiteResult())
    expect(events.map((e) => e.type).slice(0, 6)).toEqual(['file-start', 'scenario-start', 'level-start', 'level-end', 'level-start', 'level-end'])
    expect(events.at(-1)).toEqual({ type: 'file-error', file: 'bench/broken.bench.ts', error: suiteResult().files[1].error })
    expect(events.filter((e) => e.type === 'check')).toHaveLength(6)
  })
})
