/**
 * The command line. Each command lives in its own file; this one wires them to yargs and turns
 * errors into exit codes: a user mistake is one line, never a stack trace (unless --debug).
 */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { VERSION } from '../version.js'
import { RUN_FLAGS, runCommand, runHandler } from './run.js'
import { mergeCommand, mergeHandler } from './merge.js'
import { BENCH_FLAGS, benchCommand, benchHandler } from './bench.js'
import { unknownFlagMessage } from '../options/flags.js'
import { simulateCommand, simulateHandler } from './simulate.js'
import { infoHandler } from './info.js'
import { gpuHandler } from './gpu.js'
import { reportCommand, reportHandler } from './report.js'
import { showReportCommand, showReportHandler } from './show-report.js'
import { serveCommand, serveHandler } from './serve.js'
import { redactSecrets, rememberSecrets, secretsOfArgv, secretsOfEnv } from '../results/redact.js'
import { terminalLine, terminalText } from '../text/sanitize.js'

type Handler = (args: any) => Promise<number>

export async function main(argv = hideBin(process.argv)): Promise<number> {
  const debug = argv.includes('--debug')
  // Secrets from the command line and the environment are known before yargs runs, so that even
  // its complaints (which echo unknown arguments) never print them.
  rememberSecrets([...secretsOfArgv(argv), ...secretsOfEnv(process.env)])
  let exitCode: number = EXIT.OK
  const wrap = (handler: Handler) => async (args: any) => {
    exitCode = await handler(args)
  }
  try {
    await yargs(argv)
      .scriptName('llmbench')
      .version(VERSION)
      .usage('$0 [filters..] | $0 <command> [options]\n\nLoad tests for LLM inference servers.')
      .command('$0 [filters..]', 'Run the bench files (*.bench.ts) of the project', benchCommand, wrap(benchHandler))
      .command('run', 'Run one scenario from flags against a server', runCommand, wrap(runHandler))
      .command('merge <files..>', 'Merge the results of the shards of one run (llmbench run --shard i/n) into one', mergeCommand, wrap(mergeHandler))
      .command('simulate', 'Start the built-in simulated LLM server in the foreground', simulateCommand, wrap(simulateHandler))
      .command('info', 'Describe this machine: OS, CPU, memory, Node.js, llmbench, GPUs', (y) => y.option('json', { type: 'boolean', describe: 'Print JSON' }), wrap(infoHandler))
      .command('gpu', 'List NVIDIA GPUs (nvidia-smi): memory, utilisation, temperature, power', (y) => y.option('json', { type: 'boolean', describe: 'Print JSON (with --watch: one line per refresh)' }).option('watch', { type: 'boolean', describe: 'Refresh the table until Ctrl-C' }).option('interval', { type: 'number', describe: 'Seconds between refreshes with --watch (default 1)' }).option('count', { type: 'number', describe: 'Stop --watch after N refreshes' }), wrap(gpuHandler))
      .command('report [files..]', 'Build the HTML report of saved results (several: compared), or of the history (--history)', reportCommand, wrap(reportHandler))
      .command('show-report [dir]', 'Serve a report on localhost and open the browser', showReportCommand, wrap(showReportHandler))
      .command('serve', 'Serve the dashboard and the API: start runs, follow them live, keep and compare results', serveCommand, wrap(serveHandler))
      .option('debug', { type: 'boolean', describe: 'Show stack traces for errors' })
      .strict()
      .middleware(lastValueWins)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((msg, err) => {
        if (err) throw err
        const unknown = unknownFlagMessage(msg, ALL_FLAGS.map((f) => f.name))
        throw new UsageError(unknown ?? (msg.includes('--help') ? msg : `${msg} (see llmbench <command> --help)`))
      })
      .parseAsync()
  } catch (err) {
    return reportError(err, debug)
  }
  return exitCode
}

const ALL_FLAGS = [...RUN_FLAGS, ...BENCH_FLAGS]
/** Options that take several values; any other flag given twice keeps its last value, as in most CLIs. */
const LIST_OPTIONS = new Set(['_', 'filters', 'files', 'fault', ...ALL_FLAGS.filter((f) => f.repeatable).flatMap((f) => (f.alias ? [f.name, f.alias] : [f.name]))])

function lastValueWins(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (Array.isArray(value) && !LIST_OPTIONS.has(key)) argv[key] = value[value.length - 1]
  }
}

function reportError(err: unknown, debug: boolean): number {
  const e = err instanceof Error ? err : new Error(String(err))
  const user = e instanceof UsageError || e.name === 'YError'
  // Messages may quote a server (its error body, the model it listed) or the command line:
  // redacted of every known secret, and stripped of terminal control sequences.
  const clean = (text: string) => redactSecrets(text)
  if (debug || !user) process.stderr.write(`${terminalText(clean(e.stack ?? e.message))}\n`)
  if (!debug) {
    // yargs spreads one complaint over several lines; a user gets it on one.
    const line = user ? terminalLine(clean(e.message)) : terminalLine(clean(e.message).split('\n')[0] ?? '')
    process.stderr.write(user ? `llmbench: ${line}\n` : `llmbench: internal error: ${line} (run with --debug for details)\n`)
  }
  return user ? EXIT.USAGE : EXIT.RUNTIME
}
