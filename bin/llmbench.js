#!/usr/bin/env node
import { main } from '../dist/src/cli/index.js'

const code = await main()
// Let pending writes (stdout to a pipe) drain before exiting with the code.
process.exitCode = code
