/**
 * `llmbench serve`: the dashboard and the API (docs/serve.md) until Ctrl-C or SIGTERM, which
 * stop it cleanly: the running benchmark is aborted and kept as interrupted.
 */
import type { Argv } from 'yargs'
import { loadConfig } from '../config/index.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { DEFAULT_HISTORY_DIR } from '../report/history.js'
import { redactSecrets } from '../results/redact.js'
import { openStore } from '../store/open.js'
import { checkListenSecurity, TOKEN_ENV } from '../serve/auth.js'
import { DEFAULT_PORT, startServe, UPLOAD_LIMIT } from '../serve/server.js'
import { terminalLine } from '../text/sanitize.js'

export const STORE_ENV = 'LLMBENCH_STORE'

export function serveCommand(y: Argv) {
  return y
    .option('host', { type: 'string', describe: "Address to listen on (default: the config's serve.host, else 127.0.0.1); any other than loopback needs a token" })
    .option('port', { type: 'number', describe: `Port (default: serve.port, else ${DEFAULT_PORT}; 0 picks a free one)` })
    .option('store', { type: 'string', describe: `Where runs are kept: a folder or postgres://user:pass@host/db (default: $${STORE_ENV}, serve.store, else the history folder)` })
    .option('token', { type: 'string', describe: `Access token the API requires (default: $${TOKEN_ENV}, which keeps it out of ps)` })
    .option('config', { alias: 'c', type: 'string', describe: 'Config file (default: llmbench.config.* in the current folder)' })
    .option('max-upload-mb', { type: 'number', default: UPLOAD_LIMIT / 1024 / 1024, describe: 'Largest result a CI upload may send, in MiB' })
}

export async function serveHandler(a: Record<string, unknown>): Promise<number> {
  const { config } = await loadConfig(process.cwd(), a.config as string | undefined)
  const host = String(a.host ?? config.serve?.host ?? '127.0.0.1')
  const port = Number(a.port ?? config.serve?.port ?? DEFAULT_PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${a.port}`)
  const uploadMb = Number(a.maxUploadMb)
  if (!Number.isFinite(uploadMb) || uploadMb <= 0) throw new UsageError(`--max-upload-mb must be a number above 0, got ${a.maxUploadMb}`)
  const token = (a.token as string | undefined) ?? process.env[TOKEN_ENV]
  // Refused before anything is opened: a public address without a token never listens, not even briefly.
  checkListenSecurity(host, token)
  const flagged = (a.store as string | undefined) ?? process.env[STORE_ENV]
  const spec = flagged ?? config.serve?.store ?? config.history?.dir ?? DEFAULT_HISTORY_DIR
  const store = await openStore(spec, flagged ? process.cwd() : config.root)
  const log = (line: string) => process.stderr.write(`llmbench serve: ${terminalLine(redactSecrets(line))}\n`)
  let server
  try {
    server = await startServe({ config, store, host, port, token, uploadLimit: Math.round(uploadMb * 1024 * 1024), log })
  } catch (err) {
    await store.close()
    throw err
  }
  const targets = [...Object.keys(config.servers), ...(config.serve?.allow ?? [])]
  process.stdout.write(redactSecrets(
    `llmbench serve: dashboard and API at ${server.url}/ (store: ${store.where}; runs may target: ${targets.join(', ') || "none, until the config names servers"}` +
      `${token ? '; access token required' : ''}). Ctrl-C to stop.\n`,
  ))
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      // A second signal while a run winds down quits at once.
      const now = () => process.exit(EXIT.INTERRUPTED)
      process.once('SIGINT', now)
      process.once('SIGTERM', now)
      process.stdout.write(`Stopping${server.queue.running ? `: run ${server.queue.running} is aborted and kept as interrupted` : ''}.\n`)
      server.close().then(done, (err) => {
        log(`could not stop cleanly: ${(err as Error).message}`)
        done()
      })
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  return EXIT.OK
}
