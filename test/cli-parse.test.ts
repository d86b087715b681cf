import { describe, expect, it } from 'vitest'
import yargs from 'yargs'
import { checkFlags, flagsOf, fromFlags, unknownFlagMessage, withFlags } from '../src/options/flags.js'
import { benchSchema, benchShape } from '../src/options/scenario.js'
import { redactArgv, redactText } from '../src/results/redact.js'
import { UsageError } from '../src/errors.js'

/** The scenario options `llmbench run` flags give, checked as the command checks them (messages name the flags). */
const flags = flagsOf(benchShape, 'run')
const run = (line: string) => {
  const argv = withFlags(yargs(), flags).parseSync(line)
  return checkFlags(benchSchema, fromFlags(argv, flags, benchShape))
}

describe('flag parsing', () => {
  it('reads concurrency lists with commas and spaces', () => {
    expect(run('--concurrency 1,10,50').concurrency).toEqual([1, 10, 50])
    expect(run("--concurrency '4 8'").concurrency).toEqual([4, 8])
  })

  it('rejects zero, negatives, fractions and words with one line naming the flag', () => {
    for (const bad of ['0', '-1', '1.5', 'abc']) {
      expect(() => run(`--concurrency=${bad}`)).toThrowError(UsageError)
      expect(() => run(`--concurrency=${bad}`)).toThrowError(/--concurrency must be a whole number of at least 1/)
    }
    expect(() => run('--num-prompts 0')).toThrowError(/--num-prompts/)
  })

  it('quotes the value as typed and names the unit of the flag', () => {
    expect(() => run('--timeout abc')).toThrowError('--timeout must be a number of seconds above 0, got "abc"')
    expect(run('--timeout 2.5').timeout).toBe(2500)
  })

  it('parses headers and lowercases their names', () => {
    expect(run("-H 'X-Team: a:b' -H 'Authorization:  Bearer x'").headers).toEqual({ 'x-team': 'a:b', authorization: 'Bearer x' })
    expect(() => run("--header 'no colon here'")).toThrowError(/--header must look like/)
  })

  it('accepts only JSON objects for --body', () => {
    expect(run(`--body '{"temperature":0}'`).body).toEqual({ temperature: 0 })
    expect(() => run("--body '[1]'")).toThrowError(/JSON object/)
    expect(() => run("--body '{oops'")).toThrowError(/--body must be a JSON object/)
  })

  it('suggests the flag a misspelled one most likely was', () => {
    expect(unknownFlagMessage('Unknown argument: concurency', flags.map((f) => f.name))).toBe('unknown flag --concurency, did you mean --concurrency? (see llmbench <command> --help)')
    expect(unknownFlagMessage('Unknown arguments: numPrompt, x', flags.map((f) => f.name))).toMatch(/^unknown flag --num-prompt, did you mean --num-prompts\?/)
  })
})

describe('secret redaction', () => {
  it('redacts the values of --api-key and --header in both flag forms', () => {
    expect(redactArgv(['run', '--api-key', 'sk-123', '--header=Authorization: Bearer t', '-H', 'X-Key: v', '--model', 'm']))
      .toEqual(['run', '--api-key', '***', '--header=***', '-H', '***', '--model', 'm'])
  })

  it('removes secrets from free text', () => {
    expect(redactText('bad key sk-abcdef used', ['sk-abcdef'])).toBe('bad key *** used')
  })
})
