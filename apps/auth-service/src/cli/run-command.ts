import type { SqlDatabase } from '@repo/service-kit/sql'
import { loadConfig, type AuthConfig } from '../config.js'
import type { KeyCustody } from '../keys/key-custody.js'
import { USAGE_ERROR, runCli } from './cli-error.js'
import { cliKeyCustody } from './cli-key-custody.js'
import { openCliDatabase, type OpenCliDatabaseOptions } from './open-cli-database.js'

/** What every parser returns beside its commands: a request for help, or a command line that does not parse. */
export type NoCommand = { command: 'help' } | { command: 'usage', problem?: string }

/** What a command runs with: the service's configuration and its database, open for the command's lifetime. */
export interface CommandContext {
  config: AuthConfig
  db: SqlDatabase
  /**
   * The key custody, for a command that writes or opens private keys: on SQLite without
   * KEY_ENCRYPTION_KEYS it reads DATA_DIR's secret, and refuses (unless the command creates the
   * database) when the service has not made one yet.
   */
  keyCustody: () => Promise<KeyCustody>
}

export interface CommandLine<Parsed extends { command: string }> {
  /** Prefixes one-line failures (`users: …`). */
  name: string
  usage: string
  parse: (argv: readonly string[]) => Parsed
  /** How the database is opened for `args`: whether a missing SQLite file is created, and the hint if not. */
  database: (args: Exclude<Parsed, NoCommand>) => OpenCliDatabaseOptions
  /** Runs the command; resolves to its exit status. Throw `CliError` for an expected failure. */
  run: (context: CommandContext, args: Exclude<Parsed, NoCommand>) => Promise<number>
}

const isCommand = <Parsed extends { command: string }>(args: Parsed): args is Exclude<Parsed, NoCommand> =>
  args.command !== 'help' && args.command !== 'usage'

/**
 * The shape of every auth CLI: parse the arguments, answer help and usage errors, read the
 * service's configuration, open its database, run the command and close the database, then set
 * the exit status (see `runCli`).
 */
export function runCommand<Parsed extends { command: string }> (cli: CommandLine<Parsed>): Promise<void> {
  return runCli(cli.name, async () => {
    const args = cli.parse(process.argv.slice(2))
    if (args.command === 'help') {
      console.log(cli.usage)
      return 0
    }
    if (!isCommand(args)) {
      const problem = 'problem' in args && typeof args.problem === 'string' ? args.problem : undefined
      console.error(problem ? `${cli.name}: ${problem}` : cli.usage)
      return USAGE_ERROR
    }
    const config = loadConfig(process.env)
    const database = cli.database(args)
    const db = await openCliDatabase(config, database)
    // Opened once, on first use, and closed with the database (a token session).
    let custody: Promise<KeyCustody> | undefined
    try {
      return await cli.run({ config, db, keyCustody: () => (custody ??= cliKeyCustody(config, database)) }, args)
    } finally {
      await custody?.then((opened) => opened.close(), () => {})
      await db.close()
    }
  })
}
