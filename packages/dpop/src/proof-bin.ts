#!/usr/bin/env node
import { main } from './proof-cli.js'

// pnpm runs package scripts in the package's folder; INIT_CWD is where the user typed the command.
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.env['INIT_CWD'] ?? process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text)
})
