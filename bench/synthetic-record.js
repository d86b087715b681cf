/**
 * Shared by the memory and records-file benchmarks: llmbench's modules from dist/, and one
 * realistic synthetic record (128 output tokens with their times; 5% failures with a message).
 */
export async function fromDist(rel) {
  try {
    return await import(`../dist/src/${rel}`)
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err
    return import(`../dist/${rel}`)
  }
}

export function makeRecord(i, rng) {
  const sentAt = 1_000 + i * 6.25 + rng() * 5
  if (rng() < 0.05) {
    return {
      index: i, warmup: false, stream: true, scheduledAt: sentAt - 0.01, sentAt, endAt: sentAt + 30_000 * rng(),
      outcome: 'timeout', error: { message: 'no token for 30000 ms (idle timeout)' },
      outputTokens: 0, outputTokensSource: 'events', inputTokens: 512, inputTokensSource: 'prompt',
    }
  }
  const tokenTimes = new Array(128)
  let t = 20 + rng() * 20
  for (let k = 0; k < 128; k++) {
    tokenTimes[k] = Math.round(t * 1000) / 1000
    t += rng() < 0.01 ? 50 + rng() * 200 : 8 + rng() * 8
  }
  const last = sentAt + tokenTimes[127]
  return {
    index: i, warmup: false, stream: true, scheduledAt: sentAt - 0.01, sentAt,
    firstTokenAt: sentAt + tokenTimes[0], firstContentAt: sentAt + tokenTimes[0], lastTokenAt: last, endAt: last + 0.2,
    outcome: 'ok', outputTokens: 128, outputTokensSource: 'usage', inputTokens: 512, inputTokensSource: 'usage', tokenTimes,
  }
}
