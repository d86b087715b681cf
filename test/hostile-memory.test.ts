/**
 * A hostile server cannot make llmbench hold unbounded memory: every answer llmbench reads besides
 * the load (/v1/models and the other probes, /tokenize) has a cap and a message that says what
 * happened, and the load's streams share one budget for the bytes they buffer.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type net from 'node:net'
import { calibrateSynthetic } from '../src/data/calibrate.js'
import { MAX_PROBE_BYTES } from '../src/client/detect.js'
import { closeRawServers, rawServer } from './helpers/raw-server.js'
import { runCli } from './helpers/cli.js'

afterEach(closeRawServers)

const MiB = 1024 * 1024

/**
 * Answers with a head announcing 1 GB of JSON, then writes 1 MiB pieces while the client reads,
 * up to `most` bytes (the test's own bound), counting what it wrote.
 */
function hugeAnswer(written: { bytes: number }, most: number, start = '{"data":[{"id":"') {
  return async (s: net.Socket) => {
    s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${2 ** 30}\r\n\r\n${start}`)
    const piece = Buffer.alloc(MiB, 'a')
    while (!s.destroyed && written.bytes < most) {
      written.bytes += piece.length
      if (!s.write(piece)) await new Promise((r) => s.once('drain', r).once('close', r))
    }
  }
}

describe('answers besides the load are read up to a cap', () => {
  it('a /v1/models answer of 1 GB: one line saying so, exit 2, and the rest is never read', async () => {
    const written = { bytes: 0 }
    const { url } = await rawServer(hugeAnswer(written, 96 * MiB))
    const r = await runCli(['run', '--server', url, '--num-prompts', '1'], {}, 60_000)
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe(`llmbench: ${url} answered GET /v1/models with more than ${MAX_PROBE_BYTES / MiB} MB: not an answer llmbench can read. Set the model and the endpoint (--model, --endpoint).`)
    // The cap plus what sat in socket buffers when the client stopped, far from the 96 MiB on offer.
    expect(written.bytes).toBeLessThan(MAX_PROBE_BYTES + 16 * MiB)
  })

  it('a /tokenize answer far larger than any token list of the prompt: calibration fails with the reason, having read only the cap', async () => {
    const written = { bytes: 0 }
    const { url } = await rawServer(hugeAnswer(written, 64 * MiB, '{"count":3,"tokens":['))
    const err = await calibrateSynthetic(url, 'm', { kind: 'synthetic', input: { tokens: 32 }, output: { tokens: 4 } }).then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(new RegExp(`^calibration: POST ${url}/tokenize answered with more than 1(\\.\\d)? MB for a prompt of \\d+ KB: not a token count$`))
    expect(written.bytes).toBeLessThan(24 * MiB)
  })
})
