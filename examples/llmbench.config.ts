/**
 * The examples' configuration: reporters and their files, and two named servers that
 * compare-servers.bench.ts measures side by side. Here both are simulators the bench file starts
 * on fixed ports (a "fast" one and a "slow" one); in real use they would be, say, vLLM and SGLang.
 */
import { defineConfig } from 'llmbench'

export default defineConfig({
  servers: {
    fast: { url: 'http://127.0.0.1:18431', model: 'sim-model' },
    slow: { url: 'http://127.0.0.1:18432', model: 'sim-model' },
  },
  reporters: ['console', 'json', 'junit'],
  outputFile: { json: 'llmbench-results/results.json', junit: 'llmbench-results/junit.xml' },
})
