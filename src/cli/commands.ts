/**
 * The commands of the CLI: what `--help` lists, and where each one's flags (its builder) and
 * handler live. index.ts parses with the recorded flags (command-flags.ts) and imports a command's
 * module only when that command runs.
 */
import type { Argv } from 'yargs'

type Handler = (args: any) => Promise<number>

export interface CommandEntry {
  /** Its key in command-flags.ts. */
  name: string
  /** yargs' command string. */
  command: string
  describe: string
  load(): Promise<{ flags: (y: Argv) => Argv; handler: Handler }>
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'bench',
    command: '$0 [filters..]',
    describe: 'Run the bench files (*.bench.ts) of the project',
    load: () => import('./bench.js').then((m) => ({ flags: m.benchCommand, handler: m.benchHandler })),
  },
  {
    name: 'run',
    command: 'run',
    describe: 'Run one scenario from flags against a server',
    load: () => import('./run.js').then((m) => ({ flags: m.runCommand, handler: m.runHandler })),
  },
  {
    name: 'compare',
    command: 'compare <files..>',
    describe: 'Compare results with a baseline: every figure with its change, interval and verdict; exit 1 on a regression',
    load: () => import('./compare.js').then((m) => ({ flags: m.compareCommand, handler: m.compareHandler })),
  },
  {
    name: 'merge',
    command: 'merge <files..>',
    describe: 'Merge the results of the shards of one run (llmbench run --shard i/n) into one',
    load: () => import('./merge.js').then((m) => ({ flags: m.mergeCommand, handler: m.mergeHandler })),
  },
  {
    name: 'simulate',
    command: 'simulate',
    describe: 'Start the built-in simulated LLM server in the foreground',
    load: () => import('./simulate.js').then((m) => ({ flags: m.simulateCommand, handler: m.simulateHandler })),
  },
  {
    name: 'info',
    command: 'info',
    describe: 'Describe this machine: OS, CPU, memory, Node.js, llmbench, GPUs',
    load: () => import('./info.js').then((m) => ({ flags: m.infoCommand, handler: m.infoHandler })),
  },
  {
    name: 'gpu',
    command: 'gpu',
    describe: 'List NVIDIA GPUs (nvidia-smi): memory, utilisation, temperature, power',
    load: () => import('./gpu.js').then((m) => ({ flags: m.gpuCommand, handler: m.gpuHandler })),
  },
  {
    name: 'report',
    command: 'report [files..]',
    describe: 'Build the HTML report of saved results (several: compared), or of the history (--history)',
    load: () => import('./report.js').then((m) => ({ flags: m.reportCommand, handler: m.reportHandler })),
  },
  {
    name: 'show-report',
    command: 'show-report [dir]',
    describe: 'Serve a report on localhost and open the browser',
    load: () => import('./show-report.js').then((m) => ({ flags: m.showReportCommand, handler: m.showReportHandler })),
  },
  {
    name: 'serve',
    command: 'serve',
    describe: 'Serve the dashboard and the API: start runs, follow them live, keep and compare results',
    load: () => import('./serve.js').then((m) => ({ flags: m.serveCommand, handler: m.serveHandler })),
  },
]
