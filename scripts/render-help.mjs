#!/usr/bin/env node
// Part of `npm run build`, after tsc: renders the help texts the CLI prints without yargs
// (src/cli/stored-help.ts) with the CLI's own yargs setup, into dist/src/cli/help.json.
import { writeFileSync } from 'node:fs'
import { renderStoredHelp } from '../dist/src/cli/help-text.js'
import { STORED_HELP_FILE } from '../dist/src/cli/stored-help.js'

writeFileSync(new URL(`../dist/src/cli/${STORED_HELP_FILE}`, import.meta.url), JSON.stringify(await renderStoredHelp()))
