import { describe, expect, it } from 'vitest'
import { structuredBody, type StructuredSpec } from '../src/client/structured.js'

const params = { type: 'object', properties: { q: { type: 'string' } } }
const spec = (toolChoice?: string): StructuredSpec => ({
  tools: [{ name: 'search', description: 'finds', parameters: params }, { name: 'plain', parameters: params }],
  ...(toolChoice !== undefined ? { toolChoice } : {}),
  check: 'tool-args',
})

describe('structuredBody: tools on the wire', () => {
  it('chat: nested function definitions, tool_choice required by default, a name forced', () => {
    expect(JSON.stringify(structuredBody('chat', spec()))).toBe(JSON.stringify({
      tools: [
        { type: 'function', function: { name: 'search', description: 'finds', parameters: params } },
        { type: 'function', function: { name: 'plain', parameters: params } },
      ],
      tool_choice: 'required',
    }))
    expect(structuredBody('chat', spec('search')).tool_choice).toEqual({ type: 'function', function: { name: 'search' } })
    expect(structuredBody('chat', spec('auto')).tool_choice).toBe('auto')
  })

  it('responses: flat definitions after the text format, a name forced flat', () => {
    const s = { ...spec('plain'), responseFormat: { type: 'json_object' as const } }
    expect(JSON.stringify(structuredBody('responses', s))).toBe(JSON.stringify({
      text: { format: { type: 'json_object' } },
      tools: [
        { type: 'function', name: 'search', description: 'finds', parameters: params },
        { type: 'function', name: 'plain', parameters: params },
      ],
      tool_choice: { type: 'function', name: 'plain' },
    }))
    expect(structuredBody('responses', spec('none')).tool_choice).toBe('none')
  })

  it('completions: no tools field (it has none)', () => {
    expect(structuredBody('completions', spec())).toEqual({})
  })
})
