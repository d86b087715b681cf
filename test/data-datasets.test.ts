import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describePrompts, loadPrompts } from '../src/data/prompts.js'
import type { FileSpec, Prompt } from '../src/data/prompt.js'
import { jsonListSpans, lineSpans } from '../src/data/records.js'
import { countTokens, encodeText } from '../src/data/tokenizer.js'

const dir = mkdtempSync(join(tmpdir(), 'llmbench-datasets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
/** Writes a fixture under its own name (the cache keys on the path) and returns its path. */
function fixture(name: string, text: string): string {
  const path = join(dir, `${files++}-${name}`)
  writeFileSync(path, text)
  return path
}

const file = (path: string, format: FileSpec['format'], extra: Partial<FileSpec> = {}): FileSpec => ({ kind: 'file', path, format, ...extra })
const words = (n: number, word = 'water') => Array(n).fill(word).join(' ')
const turn = (from: string, value: string) => ({ from, value })

/** Distinct prompt texts of a load, in first-seen order. */
const distinct = (ps: Prompt[]) => [...new Set(ps.map((p) => p.text))]

describe('ShareGPT JSON', () => {
  const records = [
    { id: 'a', conversations: [turn('human', 'Tell me about the history of tea in China.'), turn('gpt', words(30))] },
    { id: 'short-prompt', conversations: [turn('human', 'Hi'), turn('gpt', words(30))] },
    { id: 'one-turn', conversations: [turn('human', 'Is anyone there at all, please?')] },
    { id: 'long-prompt', conversations: [turn('human', words(1100)), turn('gpt', words(10))] },
    { id: 'long-total', conversations: [turn('human', words(1000)), turn('gpt', words(1100))] },
    { id: 'short-reply', conversations: [turn('human', 'Say something short to me please.'), turn('gpt', 'ok')] },
    {
      id: 'multi',
      conversations: [
        turn('system', 'You are terse.'), turn('human', 'What is the capital of France?'), turn('gpt', 'Paris is the capital of France.'),
        turn('human', 'And what river runs through it?'), turn('chatgpt', 'The Seine runs through Paris.'),
        turn('human', 'How long is that river?'), turn('gpt', 'It is about 777 kilometres long.'),
      ],
    },
  ]
  const path = fixture('sharegpt.json', JSON.stringify(records, null, 2))

  it('takes the first human turn, its reply length as the output length, and applies vLLM\'s filters', async () => {
    const prompts = await loadPrompts(file(path, 'sharegpt', { shuffle: false }), 2, 0)
    expect(prompts).toEqual([
      { text: 'Tell me about the history of tea in China.', tokens: countTokens('Tell me about the history of tea in China.'), maxTokens: 30 },
      { text: 'You are terse.\nWhat is the capital of France?', tokens: countTokens('You are terse.\nWhat is the capital of France?'), maxTokens: countTokens('Paris is the capital of France.'),
        messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is the capital of France?' }] },
    ])
  })

  it('cycles through what passes when asked for more, and says so', async () => {
    const spec = file(path, 'sharegpt', { shuffle: false })
    const prompts = await loadPrompts(spec, 5, 0)
    expect(prompts.map((p) => p.text.slice(0, 10))).toEqual(['Tell me ab', 'You are te', 'Tell me ab', 'You are te', 'Tell me ab'])
    expect(describePrompts(spec)).toMatch(/^ShareGPT file .*sharegpt\.json: 2 prompts after filters from 7 of 7 conversations, repeated to fill the level$/)
  })

  it('takes its filter bounds as options, 0 turning one off', async () => {
    const prompts = await loadPrompts(file(path, 'sharegpt', { shuffle: false, filters: { minInput: 1, minOutput: 0, maxInput: 0, maxTotal: 0 } }), 6, 0)
    expect(distinct(prompts).map((t) => t.slice(0, 12))).toEqual(['Tell me abou', 'Hi', 'water water ', 'water water ', 'Say somethin', 'You are ters'])
  })

  it('overrides the reply lengths with outputTokens', async () => {
    const prompts = await loadPrompts(file(path, 'sharegpt', { shuffle: false, outputTokens: 7 }), 3, 0)
    expect(prompts.map((p) => p.maxTokens)).toEqual([7, 7, 7])
  })

  it('turns every user turn into a prompt with its history in multi-turn mode', async () => {
    const prompts = await loadPrompts(file(path, 'sharegpt', { shuffle: false, multiTurn: true, filters: { minOutput: 1 } }), 6, 0)
    const multi = prompts.filter((p) => p.messages?.[0].role === 'system')
    expect(multi.map((p) => p.conversation)).toEqual([{ id: 6, turn: 1, turns: 3 }, { id: 6, turn: 2, turns: 3 }, { id: 6, turn: 3, turns: 3 }])
    expect(multi[2].messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris is the capital of France.' },
      { role: 'user', content: 'And what river runs through it?' },
      { role: 'assistant', content: 'The Seine runs through Paris.' },
      { role: 'user', content: 'How long is that river?' },
    ])
    expect(multi[2].maxTokens).toBe(countTokens('It is about 777 kilometres long.'))
    expect(multi[2].tokens).toBe(countTokens(multi[2].text))
  })

  it('draws the same prompts in the same order for a seed, another order for another seed', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ conversations: [turn('human', `Question number ${i} about the weather today?`), turn('gpt', words(8))] }))
    const spec = file(fixture('many.json', JSON.stringify(many)), 'sharegpt')
    const a = await loadPrompts(spec, 20, 1)
    expect(await loadPrompts(spec, 20, 1)).toEqual(a)
    const b = await loadPrompts(spec, 20, 2)
    expect(b.map((p) => p.text)).not.toEqual(a.map((p) => p.text))
    expect(new Set(a.map((p) => p.text)).size).toBe(20)
  })

  it('reads one record per line too', async () => {
    const lines = records.slice(0, 2).map((r) => JSON.stringify(r)).join('\n')
    const prompts = await loadPrompts(file(fixture('sharegpt.jsonl', lines), 'sharegpt', { shuffle: false }), 1, 0)
    expect(prompts[0].text).toBe('Tell me about the history of tea in China.')
  })

  it('names the line of a malformed record', async () => {
    const text = JSON.stringify(records.slice(0, 2), null, 2).replace('"id": "short-prompt",', '"id": "short-prompt",,')
    const bad = fixture('bad.json', text)
    const line = text.split('\n').findIndex((l) => l.includes('short-prompt')) + 1
    await expect(loadPrompts(file(bad, 'sharegpt'), 1, 0)).rejects.toThrow(new RegExp(`bad\\.json:${line}: not valid JSON: .*\\(ShareGPT records look like`))
  })

  it('names the line of a record without conversations, and of a cut-off file', async () => {
    const text = '[\n  {"conversations": [{"from": "human", "value": "hello there you"}]},\n  {"id": 3}\n]\n'
    await expect(loadPrompts(file(fixture('noconv.json', text), 'sharegpt'), 1, 0)).rejects.toThrow(/noconv\.json:3: record has no "conversations" list \(/)
    const cut = '[\n  {"conversations": []},\n  {"conversations": [{"from": "human", "value": "hel'
    await expect(loadPrompts(file(fixture('cut.json', cut), 'sharegpt'), 1, 0)).rejects.toThrow(/cut\.json:3: the file ends inside a string/)
    const turnless = '[{"conversations": [{"from": "human", "value": 5}]}]'
    await expect(loadPrompts(file(fixture('turn.json', turnless), 'sharegpt'), 1, 0)).rejects.toThrow(/turn\.json:1: turn 1 of the record needs a "from" and a string "value"/)
  })
})

describe('JSONL prompts', () => {
  const lines = [
    JSON.stringify({ prompt: 'Write a haiku about rain.', max_tokens: 40 }),
    '',
    JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Name a colour.' }], id: 'x' }),
    JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello, how can I help?' }, { role: 'user', content: 'Tell me a joke.' }], max_tokens: 12 }),
  ]
  const path = fixture('prompts.jsonl', lines.join('\n') + '\n')

  it('reads prompt and messages records with optional max_tokens', async () => {
    const prompts = await loadPrompts(file(path, 'jsonl', { shuffle: false }), 3, 0)
    expect(prompts[0]).toEqual({ text: 'Write a haiku about rain.', tokens: countTokens('Write a haiku about rain.'), maxTokens: 40 })
    expect(prompts[1].maxTokens).toBeUndefined()
    expect(prompts[1].messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Name a colour.' }])
    expect(prompts[1].text).toBe('Be brief.\nName a colour.')
    expect(prompts[2].messages).toHaveLength(3)
    expect(prompts[2].maxTokens).toBe(12)
  })

  it('splits messages into turns in multi-turn mode', async () => {
    const prompts = await loadPrompts(file(path, 'jsonl', { shuffle: false, multiTurn: true }), 4, 0)
    const turns = prompts.filter((p) => p.conversation?.id === 2)
    expect(turns.map((p) => [p.conversation!.turn, p.messages?.length ?? 1, p.maxTokens])).toEqual([[1, 1, countTokens('Hello, how can I help?')], [2, 3, 12]])
  })

  it('names the line of a malformed record, blank lines counted', async () => {
    const bad = fixture('bad.jsonl', [lines[0], '', '{"prompt": "x",}'].join('\n'))
    await expect(loadPrompts(file(bad, 'jsonl'), 1, 0)).rejects.toThrow(/bad\.jsonl:3: not valid JSON: .* \(each line is \{"prompt": "\.\.\."\}/)
    const neither = fixture('neither.jsonl', `${lines[0]}\n{"text": "hello"}\n`)
    await expect(loadPrompts(file(neither, 'jsonl'), 1, 0)).rejects.toThrow(/neither\.jsonl:2: record has neither "prompt" nor "messages"/)
    const role = fixture('role.jsonl', '{"messages": [{"role": "robot", "content": "hi"}]}\n')
    await expect(loadPrompts(file(role, 'jsonl'), 1, 0)).rejects.toThrow(/role\.jsonl:1: messages\[0\] needs a "role" of system, user or assistant/)
    const max = fixture('max.jsonl', '{"prompt": "hello", "max_tokens": 0}\n')
    await expect(loadPrompts(file(max, 'jsonl'), 1, 0)).rejects.toThrow(/max\.jsonl:1: "max_tokens" must be a whole number of at least 1, got 0/)
  })
})

describe('CSV', () => {
  it('reads the prompt column and an optional max_tokens column', async () => {
    const path = fixture('prompts.csv', 'id,prompt,max_tokens\n1,"Hello, world",5\n2,"A prompt\nover two lines",\n3,Third one,9\n')
    const prompts = await loadPrompts(file(path, 'csv', { shuffle: false }), 3, 0)
    expect(prompts.map((p) => [p.text, p.maxTokens])).toEqual([['Hello, world', 5], ['A prompt\nover two lines', undefined], ['Third one', 9]])
  })

  it('reads another column when told to', async () => {
    const path = fixture('question.csv', 'question\nWhat is two plus two?\n')
    expect((await loadPrompts(file(path, 'csv', { column: 'question' }), 1, 0))[0].text).toBe('What is two plus two?')
    await expect(loadPrompts(file(path, 'csv'), 1, 0)).rejects.toThrow(/question\.csv:1: no "prompt" column \(the columns are "question"\) \(name the prompt column with --dataset-column/)
  })

  it('names the line of a malformed row', async () => {
    const quote = fixture('quote.csv', 'prompt\nfine\n"not closed\n')
    await expect(loadPrompts(file(quote, 'csv'), 1, 0)).rejects.toThrow(/quote\.csv:3: not valid CSV: Quote Not Closed/)
    const wide = fixture('wide.csv', 'prompt,max_tokens\nfine,3\nextra,4,5\n')
    await expect(loadPrompts(file(wide, 'csv'), 1, 0)).rejects.toThrow(/wide\.csv:3: not valid CSV: Invalid Record Length/)
    const max = fixture('max.csv', 'prompt,max_tokens\nfine,3\nbad,lots\n')
    await expect(loadPrompts(file(max, 'csv'), 1, 0)).rejects.toThrow(/max\.csv:3: max_tokens must be a whole number of at least 1, got "lots"/)
  })
})

describe('plain text', () => {
  it('makes a prompt of every line that is not blank', async () => {
    const path = fixture('prompts.txt', 'first prompt\r\n\n  \nsecond prompt\nthird prompt')
    const prompts = await loadPrompts(file(path, 'text', { shuffle: false }), 4, 0)
    expect(prompts.map((p) => p.text)).toEqual(['first prompt', 'second prompt', 'third prompt', 'first prompt'])
    expect(prompts[0].maxTokens).toBeUndefined()
  })

  it('says when a file is missing or empty', async () => {
    await expect(loadPrompts(file(join(dir, 'missing.txt'), 'text'), 1, 0)).rejects.toThrow(/missing\.txt: no such file \(give a path to a ShareGPT JSON, JSONL, CSV or text file\)/)
    await expect(loadPrompts(file(fixture('empty.txt', '\n\n'), 'text'), 1, 0)).rejects.toThrow(/empty\.txt: the file has no prompts/)
  })
})

describe('trace replay', () => {
  const lines = [
    { timestamp: 0, input_length: 600, output_length: 52, hash_ids: [46, 47] },
    { timestamp: 1000, input_length: 700, output_length: 26, hash_ids: [46, 47] },
    { timestamp: 3000, input_length: 300, output_length: 10, hash_ids: [12] },
  ]
  const path = fixture('trace.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n')

  it('replays the lines in order at their times, with their lengths', async () => {
    const prompts = await loadPrompts(file(path, 'trace'), 3, 0)
    expect(prompts.map((p) => [p.at, p.tokens, p.maxTokens])).toEqual([[0, 600, 52], [1000, 700, 26], [3000, 300, 10]])
    for (const p of prompts) expect(countTokens(p.text)).toBe(p.tokens)
  })

  it('shares the tokens of the hash blocks two lines have in common', async () => {
    const [a, b, c] = (await loadPrompts(file(path, 'trace'), 3, 0)).map((p) => encodeText(p.text))
    expect(a.slice(0, 512)).toEqual(b.slice(0, 512))
    expect(a.slice(0, 600)).toEqual(b.slice(0, 600))
    expect(a.slice(0, 20)).not.toEqual(c.slice(0, 20))
    const blocks = await loadPrompts(file(path, 'trace', { blockTokens: 100 }), 2, 0)
    const [x, y] = blocks.map((p) => encodeText(p.text))
    expect(x.slice(0, 100)).toEqual(y.slice(0, 100))
    expect(x.slice(100, 200)).toEqual(y.slice(100, 200))
    expect(x.slice(200, 210)).not.toEqual(y.slice(200, 210))
  })

  it('divides the times by the speed factor and cycles one period later', async () => {
    const prompts = await loadPrompts(file(path, 'trace', { speed: 2 }), 7, 0)
    // The period is the span (3000 ms) plus the mean gap (1500 ms).
    expect(prompts.map((p) => p.at)).toEqual([0, 500, 1500, 2250, 2750, 3750, 4500])
    expect(prompts[3].maxTokens).toBe(52)
    expect(describePrompts(file(path, 'trace', { speed: 2 }))).toMatch(/^trace .*trace\.jsonl: 3 requests over 3 s, replayed at 2× speed$/)
  })

  it('names the line of a bad or out-of-order line', async () => {
    const missing = fixture('missing.jsonl', `${JSON.stringify(lines[0])}\n{"timestamp": 5, "output_length": 3}\n`)
    await expect(loadPrompts(file(missing, 'trace'), 1, 0)).rejects.toThrow(/missing\.jsonl:2: "input_length" must be a whole number of at least 1, got nothing \(each line is \{"timestamp"/)
    const unsorted = fixture('unsorted.jsonl', `${JSON.stringify(lines[1])}\n${JSON.stringify(lines[0])}\n`)
    await expect(loadPrompts(file(unsorted, 'trace'), 1, 0)).rejects.toThrow(/unsorted\.jsonl:2: timestamp 0 is before the previous line's 1000 \(sort the trace by timestamp\)/)
  })
})

describe('record boundaries on raw bytes', () => {
  const FIX = 'fix'
  const spans = (text: string) => jsonListSpans(Buffer.from(text), 'f.json', FIX)
  const texts = (text: string) => spans(text).map((s) => [text.slice(s.start, s.end).trim(), s.line])

  it('splits a list at its top-level commas only, whatever the strings hold', () => {
    const text = '\ufeff[\r\n {"a": "x, ]} \\" [{"},\r\n {"b": [1, [2, 3]], "c": {"d": "é"}},\r\n 7\r\n]\r\n'
    const bytes = Buffer.from(text)
    const found = jsonListSpans(bytes, 'f.json', FIX).map((s) => [bytes.toString('utf8', s.start, s.end).trim(), s.line])
    expect(found).toEqual([['{"a": "x, ]} \\" [{"}', 2], ['{"b": [1, [2, 3]], "c": {"d": "é"}}', 3], ['7', 4]])
    expect(spans('[]')).toEqual([])
  })

  it('names the line of a structural mistake', () => {
    expect(() => texts('[\n{"a": 1},\n{"b": ]}\n]')).toThrow('f.json:3: not valid JSON: a "]" where "}" was expected (fix)')
    expect(() => texts('[\n{"a": 1},,\n{"b": 2}]')).toThrow('f.json:2: empty record in the list (two commas in a row, or a comma before "]") (fix)')
    expect(() => texts('[{"a": 1}]\n\n{"b": 2}')).toThrow('f.json:3: more text after the end of the list (fix)')
    expect(() => texts('[\n{"a": 1},\n{"b": [2, 3}')).toThrow('f.json:3: not valid JSON: a "}" where "]" was expected (fix)')
    expect(() => texts('[\n{"a": 1},\n{"b": [2, 3]')).toThrow('f.json:3: the file ends before the list is closed (fix)')
  })

  it('finds the lines that are not blank, without their endings', () => {
    const buf = Buffer.from('one\r\n\n  \ntwo\nthree')
    expect(lineSpans(buf, 'lines.txt').map((s) => [buf.toString('utf8', s.start, s.end), s.line])).toEqual([['one', 1], ['two', 4], ['three', 5]])
  })
})
