#!/usr/bin/env node
/**
 * llmbench's own per-event CPU on its read path, in one process and without the kernel: each
 * stream event is handed to Http1Connection's parser as one read (as on a socket at 512 streams),
 * through ResponseHandler, SseParser, the completions adapter and RequestTracker to the record.
 * The request is really written to a local server that never answers (its send is included).
 * What bench/client-overhead.js cannot separate from the kernel's and Node's share per read.
 *
 *   npm run build && node bench/client-pipeline.js     (prints ns per event, 5 runs of 3,000 requests)
 */import net from 'node:net'
import { LlmClient } from '../dist/src/client/http.js'
import { completionsAdapter } from '../dist/src/client/openai-completions.js'
import { RequestTracker } from '../dist/src/client/tracker.js'
const srv = net.createServer((s) => s.on('data', () => {})).listen(0, '127.0.0.1')
await new Promise((r) => srv.once('listening', r))
const port = srv.address().port
const client = new LlmClient({ server: `http://127.0.0.1:${port}`, connections: 1, timeoutMs: 1e9, headers: {} })
const chunk = (s) => { const p = Buffer.from(s); return Buffer.concat([Buffer.from(p.length.toString(16) + '\r\n'), p, Buffer.from('\r\n')]) }
const HEAD = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n')
const TOK = chunk('data: {"id":"x","object":"text_completion","choices":[{"index":0,"text":" tok","logprobs":null,"finish_reason":null}]}\n\n')
const TAIL = Buffer.concat([chunk('data: {"id":"x","object":"text_completion","choices":[],"usage":{"prompt_tokens":32,"completion_tokens":128,"total_tokens":160}}\n\n'), chunk('data: [DONE]\n\n'), Buffer.from('0\r\n\r\n')])
const big = Buffer.alloc(256 * 1024)
const put = (b) => { b.copy(big, 0); return b.length }
const req = completionsAdapter.buildRequest({ model: 'exact', prompt: 'hello world', maxTokens: 128, stream: true, ignoreEos: true, includeUsage: true, continuousUsage: false, body: {} })
let conn
async function one(i) {
  const t = new RequestTracker(i, false, true, 0, 32)
  const p = client.send(completionsAdapter, req, t, 'id-' + i)
  conn ??= [...client.all][0]
  let at = 1
  conn.feed(big, put(HEAD), at)
  for (let k = 0; k < 128; k++) conn.feed(big, put(TOK), ++at)
  conn.feed(big, put(TAIL), ++at)
  return p
}
await one(0)
for (let r = 0; r < 5; r++) {
  const N = 3000
  const u0 = process.cpuUsage()
  for (let i = 0; i < N; i++) await one(i)
  const u = process.cpuUsage(u0)
  console.log(((u.user + u.system) * 1000 / (N * 131)).toFixed(0), 'ns/event (http1 feed + SSE + adapter + tracker + record, send included)')
}
await client.close()
srv.close()
