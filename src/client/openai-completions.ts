/** OpenAI completions: `POST /v1/completions`, text in `choices[0].text`. */
import type { Adapter } from './adapter.js'
import { commonBody, isPlainTokenEvent, jsonRequest, nonEmpty, parseEvent, readBody, readUsage } from './openai-common.js'
import { escapedAfter } from './reply.js'

const TEXT = '"text":"'

export const completionsAdapter: Adapter = {
  name: 'completions',
  framing: 'sse',
  buildRequest(spec) {
    const body = commonBody(spec)
    body.prompt = spec.prompt
    return jsonRequest('/v1/completions', body, spec)
  },
  onEvent(data, _event, t) {
    if (isPlainTokenEvent(data, TEXT)) {
      if (t.reply) t.reply.escapedText(escapedAfter(data, TEXT))
      return t.token(true)
    }
    const o = parseEvent(data, t)
    if (!o) return
    const running = readUsage(o, t)
    // vLLM may send a first chunk with empty text for a special token: not a token.
    if (nonEmpty(o.choices?.[0]?.text)) {
      t.reply?.text(o.choices[0].text)
      return t.token(true, running)
    }
    if (running !== undefined) t.runningUsage(running)
  },
  onBody(body, t) {
    readBody(body, t, (c) => {
      if (typeof c.text === 'string') t.reply?.text(c.text)
      return c.text
    })
  },
}
