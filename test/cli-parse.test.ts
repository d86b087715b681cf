import { describe, expect, it } from 'vitest'
import { headerList, intList, jsonObject, positiveInt, serverUrl } from '../src/cli/parse.js'
import { redactArgv, redactText } from '../src/results/redact.js'
import { UsageError } from '../src/errors.js'

describe('flag parsing', () => {
  it('reads concurrency lists with commas, spaces and repeated flags', () => {
    expect(intList('--concurrency', '1,10,50')).toEqual([1, 10, 50])
    expect(intList('--concurrency', ['1', '4 8'])).toEqual([1, 4, 8])
  })

  it('rejects zero, negatives, fractions and words with one line naming the flag', () => {
    for (const bad of ['0', '-1', '1.5', 'abc']) {
      expect(() => intList('--concurrency', bad)).toThrowError(UsageError)
      expect(() => intList('--concurrency', bad)).toThrowError(/--concurrency must be a whole number of at least 1/)
    }
    expect(() => positiveInt('--num-prompts', 0)).toThrowError(/--num-prompts/)
  })

  it('parses headers and lowercases their names', () => {
    expect(headerList(['X-Team: a:b', 'Authorization:  Bearer x'])).toEqual({ 'x-team': 'a:b', authorization: 'Bearer x' })
    expect(() => headerList(['no colon here'])).toThrowError(/--header must look like/)
  })

  it('accepts only JSON objects for --body', () => {
    expect(jsonObject('--body', '{"temperature":0}')).toEqual({ temperature: 0 })
    expect(() => jsonObject('--body', '[1]')).toThrowError(/JSON object/)
    expect(() => jsonObject('--body', '{oops')).toThrowError(/--body must be a JSON object/)
  })

  it('accepts http(s) URLs only and drops a trailing slash', () => {
    expect(serverUrl('--server', 'http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000')
    expect(() => serverUrl('--server', 'localhost:8000')).toThrowError(/http:\/\/ or https:\/\//)
    expect(() => serverUrl('--server', 'not a url')).toThrowError(/must be a URL/)
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
