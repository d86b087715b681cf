import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yargs from 'yargs'
import { afterAll, describe, expect, it } from 'vitest'
import { runCommand, toScenarioOptions } from '../src/cli/run.js'
import { checkPromptSpec, promptSpecFromOptions } from '../src/data/spec-check.js'
import { validateConfig } from '../src/config/index.js'
import { promptSpecOf } from '../src/runner/level.js'
import { UsageError } from '../src/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-spec-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const data = write('data.jsonl', '{"prompt": "hello there"}\n')
const trace = write('trace.jsonl', '{"timestamp": 0, "input_length": 10, "output_length": 5}\n')
const shareJsonl = write('share.jsonl', '{"conversations": [{"from": "human", "value": "hi"}]}\n')
const csv = write('data.csv', 'prompt\nhello\n')
const odd = write('data.dat', 'hello\n')

const WHERE = 'llmbench.config.ts'
const check = (value: Record<string, unknown>) => () => validateConfig({ defaults: value }, { file: join(dir, WHERE), cwd: dir })

describe('config prompt options', () => {
  it('accepts the documented shapes', () => {
    expect(check({
      input: { tokens: 512, spread: 0.2, range: 'min-ratio', prefix: { tokens: 64 }, groups: { count: 8, systemTokens: 32, shuffle: false } },
      output: { tokens: 128, spread: 0.5 },
      dataset: { path: 'data.json', format: 'sharegpt', filters: { maxInput: 4096, minOutput: 0 }, multiTurn: true, shuffle: true, outputTokens: 64 },
      tokenizer: './tokenizer.json',
    })).not.toThrow()
    expect(check({ dataset: 'trace.jsonl' })).not.toThrow()
  })

  it('says in one line what is wrong, naming the key path', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ input: { tokens: 256, spread: 2 } }, 'llmbench.config.ts: defaults.input.spread must be a number in [0, 1) with defaults.input.range symmetric, got 2'],
      [{ input: { tokens: 256, spread: 1.5, range: 'min-ratio' } }, 'llmbench.config.ts: defaults.input.spread must be a number in [0, 1] with defaults.input.range min-ratio, got 1.5'],
      [{ input: { tokens: 256, range: 'symetric' } }, 'llmbench.config.ts: defaults.input.range must be one of "symmetric", "min-ratio", got "symetric" (did you mean "symmetric"?)'],
      [{ input: { tokens: 256, sprad: 0.1 } }, 'llmbench.config.ts: unknown key "defaults.input.sprad", did you mean "defaults.input.spread"?'],
      [{ input: { tokens: 0 } }, 'llmbench.config.ts: defaults.input.tokens must be a whole number of at least 1, got 0'],
      [{ input: { tokens: 100, spread: 0.5, prefix: { tokens: 50 } } }, 'llmbench.config.ts: defaults.input.prefix.tokens must be less than the shortest prompt (50 tokens from defaults.input.tokens and defaults.input.spread), got 50'],
      [{ input: { tokens: 100, prefix: { tokens: 50 }, groups: { count: 2, systemTokens: 60 } } }, 'llmbench.config.ts: defaults.input.prefix.tokens + defaults.input.groups.systemTokens must be less than the shortest prompt (100 tokens from defaults.input.tokens), got 110'],
      [{ output: { tokens: 10, spread: -1 } }, 'llmbench.config.ts: defaults.output.spread must be a number in [0, 1) with defaults.output.range symmetric, got -1'],
      [{ dataset: '' }, 'llmbench.config.ts: defaults.dataset must be a non-empty string, got ""'],
      [{ dataset: { path: 'a.csv', format: 'xml' } }, 'llmbench.config.ts: defaults.dataset.format must be one of "sharegpt", "jsonl", "csv", "text", "trace", got "xml"'],
      [{ dataset: { path: 'a.json', format: 'sharegpt', speed: 2 } }, 'llmbench.config.ts: defaults.dataset.speed applies to trace files, not to defaults.dataset.format sharegpt'],
      [{ dataset: { path: 't.jsonl', format: 'trace', shuffle: true } }, 'llmbench.config.ts: defaults.dataset.shuffle cannot be used with a trace: its lines are replayed in order'],
      [{ dataset: { path: 'a.json', filters: { maxInput: -1 } } }, 'llmbench.config.ts: defaults.dataset.filters.maxInput must be a whole number of at least 0, got -1'],
      [{ tokenizer: 3 }, 'llmbench.config.ts: defaults.tokenizer must be a non-empty string, got 3'],
    ]
    for (const [value, message] of cases) {
      expect(check(value)).toThrowError(UsageError)
      expect(check(value)).toThrowError(message)
    }
  })

  it('become a PromptSpec, paths resolved against the config folder and formats from the names', () => {
    expect(promptSpecFromOptions({ input: { tokens: 300, spread: 0.1, prefix: { tokens: 20 }, groups: { count: 3, systemTokens: 40, shuffle: false } }, output: { tokens: 50 }, tokenizer: 'tok.json' }, dir)).toEqual({
      kind: 'synthetic', input: { tokens: 300, spread: 0.1 }, output: { tokens: 50 }, prefix: { tokens: 20 }, groups: { count: 3, systemTokens: 40 }, shuffle: false, tokenizer: join(dir, 'tok.json'),
    })
    const base = { input: { tokens: 1 }, output: { tokens: 1 } }
    expect(promptSpecFromOptions({ ...base, dataset: 'trace.jsonl' }, dir)).toEqual({ kind: 'file', path: trace, format: 'trace' })
    expect(promptSpecFromOptions({ ...base, dataset: 'share.jsonl' }, dir)).toMatchObject({ format: 'sharegpt', path: shareJsonl })
    expect(promptSpecFromOptions({ ...base, dataset: { path: 'data.jsonl', multiTurn: true } }, dir)).toEqual({ kind: 'file', path: data, format: 'jsonl', multiTurn: true })
    expect(() => promptSpecFromOptions({ ...base, dataset: 'data.dat' }, dir)).toThrowError(/^cannot tell the format of data\.dat from its name/)
  })

  it('checks a PromptSpec built by hand', () => {
    expect(() => checkPromptSpec({ kind: 'synthetic', input: { tokens: 10 }, output: { tokens: 5 } })).not.toThrow()
    expect(() => checkPromptSpec({ kind: 'synthetic', input: { tokens: 10 } })).toThrowError('prompt spec: output must be an object like { tokens: 256 }, got undefined')
    expect(() => checkPromptSpec({ kind: 'file', path: 'x', format: 'trace', column: 'a' })).toThrowError('prompt spec: column applies to csv files, not to format trace')
  })
})

describe('llmbench run flags', () => {
  const parse = (line: string) => runCommand(yargs()).parseSync(`--model m ${line}`)
  const spec = async (line: string) => promptSpecOf(await toScenarioOptions(parse(line)))

  it('make a synthetic spec from --input-len and --output-len with ranges, prefix and groups', async () => {
    expect(await spec('')).toEqual({ kind: 'synthetic', input: { tokens: 256 }, output: { tokens: 128 } })
    expect(await spec('--input-spread 0.5 --output-spread 0.25 --range-mode min-ratio --prefix-len 32 --groups 4 --group-system-len 64 --no-shuffle')).toEqual({
      kind: 'synthetic',
      input: { tokens: 256, spread: 0.5, range: 'min-ratio' },
      output: { tokens: 128, spread: 0.25, range: 'min-ratio' },
      prefix: { tokens: 32 },
      groups: { count: 4, systemTokens: 64 },
      shuffle: false,
    })
  })

  it('make a file spec from --dataset, the format from its name or --dataset-format', async () => {
    expect(await spec(`--dataset ${data} --multi-turn --sharegpt-max-input 4096 --dataset-output-len 64`)).toEqual({
      kind: 'file', path: data, format: 'jsonl', multiTurn: true, outputTokens: 64, filters: { maxInput: 4096 },
    })
    expect(await spec(`--dataset ${trace} --trace-speed 2.5 --trace-block-len 16`)).toEqual({ kind: 'file', path: trace, format: 'trace', speed: 2.5, blockTokens: 16 })
    expect(await spec(`--dataset ${odd} --dataset-format text`)).toEqual({ kind: 'file', path: odd, format: 'text' })
    expect(await spec(`--dataset ${csv} --dataset-column question`)).toMatchObject({ format: 'csv', column: 'question' })
  })

  it('reject mistakes with one line naming the flag', async () => {
    const cases: Array<[string, string | RegExp]> = [
      ['--input-spread 1', '--input-spread must be a number in [0, 1) with --range-mode symmetric, got "1"'],
      ['--output-spread 2 --range-mode min-ratio', '--output-spread must be a number in [0, 1] with --range-mode min-ratio, got "2"'],
      ['--range-mode min-ratio', '--range-mode says how --input-spread and --output-spread are read: pass one of them too'],
      ['--prefix-len 256', '--prefix-len must be less than the shortest prompt (256 tokens from --input-len), got 256'],
      ['--groups 4', '--groups and --group-system-len go together: pass both, e.g. --groups 8 --group-system-len 1024'],
      ['--trace-speed 2', '--trace-speed applies to a dataset file: pass --dataset <path> too'],
      ['--dataset data.jsonl', '--dataset: no such file data.jsonl (give a path to a ShareGPT JSON, JSONL, CSV or text file)'],
      [`--dataset ${dir}`, /^--dataset: .* is not a file \(give a path/],
      [`--dataset ${odd}`, /^--dataset: cannot tell the format of .*data\.dat from its name \(pass --dataset-format sharegpt\|jsonl\|csv\|text\|trace\)$/],
      [`--dataset ${data} --input-spread 0.1`, '--input-spread applies to synthetic prompts, not to --dataset'],
      [`--dataset ${data} --trace-speed 2`, '--trace-speed applies to trace files, not to --dataset-format jsonl'],
      [`--dataset ${trace} --shuffle`, '--shuffle cannot be used with a trace: its lines are replayed in order'],
      [`--dataset ${data} --sharegpt-max-input -5`, '--sharegpt-max-input must be a whole number of at least 0, got "-5"'],
      ['--tokenizer nope.json', '--tokenizer: no such file nope.json (give the path of a Hugging Face tokenizer.json)'],
    ]
    for (const [line, message] of cases) {
      await expect(spec(line)).rejects.toThrowError(UsageError)
      await expect(spec(line)).rejects.toThrowError(message)
    }
  })
})
