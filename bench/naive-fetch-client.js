/**
 * A naive streaming client, the baseline llmbench's own path is compared with in
 * bench/client-overhead.js: global fetch(), a TextDecoder and a string-split SSE reader, the way
 * a quick script would do it. Same closed loop as llmbench (a slot sends its next request when
 * its previous one ends), same clock (CLOCK_MONOTONIC ms, from llmbench's src/clock.ts), and each
 * token event is stamped when the `reader.read()` that delivered it resolves.
 */
import { now } from '../dist/src/clock.js'

/**
 * Sends one streamed chat request; resolves with { id, sentAt, endAt, tokens: number[] (absolute
 * arrival times), events, ok, error }. Never rejects.
 */
export async function naiveRequest(url, id, body) {
  const rec = { id, sentAt: now(), endAt: 0, tokens: [], events: 0, ok: false, error: undefined }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': id },
      body: JSON.stringify(body),
    })
    if (!res.ok) {
      rec.error = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`
      rec.endAt = now()
      return rec
    }
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    let buf = ''
    let done = false
    for (;;) {
      const { done: end, value } = await reader.read()
      if (end) break
      const at = now()
      buf += decoder.decode(value, { stream: true })
      const parts = buf.split('\n\n')
      buf = parts.pop()
      for (const part of parts) {
        for (const line of part.split('\n')) {
          if (!line.startsWith('data:')) continue
          const data = line.slice(5).trim()
          rec.events++
          if (data === '[DONE]') {
            done = true
            continue
          }
          const o = JSON.parse(data)
          const content = o.choices?.[0]?.delta?.content ?? o.choices?.[0]?.text
          if (content) rec.tokens.push(at)
        }
      }
    }
    rec.endAt = now()
    rec.ok = done && rec.tokens.length > 0
    if (!rec.ok) rec.error = done ? 'no token' : 'stream ended without [DONE]'
  } catch (err) {
    rec.endAt = now()
    rec.error = String(err?.cause?.message ?? err?.message ?? err)
  }
  return rec
}

/**
 * Closed loop: `concurrency` slots until `total` requests are done. `bodyOf(index)` gives each
 * request's JSON body; ids are `${idPrefix}-${index}`. Resolves with the records by index.
 */
export async function runNaive({ url, concurrency, total, idPrefix, bodyOf, onRecord }) {
  const records = new Array(total)
  let next = 0
  const slot = async () => {
    while (next < total) {
      const index = next++
      const rec = await naiveRequest(url, `${idPrefix}-${index}`, bodyOf(index))
      rec.index = index
      records[index] = rec
      onRecord?.(rec)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, slot))
  return records
}
