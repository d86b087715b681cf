/**
 * The small answers llmbench reads with undici besides the load itself (`/v1/models` and the other
 * detection probes, `/tokenize`): read up to a cap, so a huge or endless answer costs at most the
 * cap and says what it was, instead of filling memory and ending as a misleading network error.
 * (The load's own responses are bounded in http.ts and budget.ts; metrics pages in telemetry/scrape.ts.)
 */

export class BodyTooLargeError extends Error {
  readonly code = 'LLMBENCH_BODY_TOO_LARGE'
  constructor(readonly limit: number) {
    super(`the answer was larger than ${sizeText(limit)}`)
  }
}

/** `2 MB`, `512 KB`. */
export function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1048576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`
}

interface Body extends AsyncIterable<unknown> {
  destroy(err?: Error): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
}

/** The body as UTF-8 text, or BodyTooLargeError as soon as it passes `maxBytes` (the rest is not read). */
export async function readCapped(body: Body, maxBytes: number): Promise<string> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const b = chunk as Buffer
    size += b.length
    if (size > maxBytes) {
      body.on('error', () => {}) // destroying emits an error nobody else listens for
      body.destroy()
      throw new BodyTooLargeError(maxBytes)
    }
    parts.push(b)
  }
  return Buffer.concat(parts, size).toString('utf8')
}
