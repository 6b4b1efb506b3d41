import Type, { type TSchema } from 'typebox'
import type { DurationLimits } from './duration.js'
import { parseBoolean, type EnvReader } from './env.js'

/** What a setting reads its value from. */
export interface SettingInput {
  /** The variables as the environment schema left them: coerced, defaults applied. */
  readonly vars: Readonly<Record<string, unknown>>
  /** Where a problem is recorded, so one start-up names every bad variable. */
  readonly env: EnvReader
  /** Whether stdout is a terminal (`LOG_FORMAT=auto`). */
  readonly isTty: boolean
}

/**
 * One setting, declared once: the variables it reads (their schemas make the service's environment
 * schema) and how it turns them into its value. A bad value is recorded on the reader, never thrown;
 * the value read then is a placeholder of the right type (NaN for a duration), as `finish()` throws.
 */
export interface Setting<T> {
  readonly variables: Readonly<Record<string, TSchema>>
  readonly read: (input: SettingInput) => T
}

/** A service's table of settings, by the name of its configuration field. */
export type Settings = Readonly<Record<string, Setting<unknown>>>

/** The configuration a table of settings reads: each field typed by its setting. */
export type SettingsOf<S extends Settings> = { -readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never }

/** Every variable a table declares, with its schema, in the order of the table. */
export function settingVariables (settings: Settings): Record<string, TSchema> {
  return Object.assign({}, ...Object.values(settings).map((setting) => setting.variables))
}

/**
 * Validates every variable a table declares at once (types, ranges, lists, defaults), then reads
 * each setting in the order of the table; problems are collected on `env` for its `finish()`.
 */
export function readSettings<S extends Settings> (env: EnvReader, settings: S, isTty = false): SettingsOf<S> {
  return readEach(settings, { vars: env.read(Type.Object(settingVariables(settings))), env, isTty })
}

function readEach<S extends Settings> (settings: S, input: SettingInput): SettingsOf<S> {
  const values = Object.entries(settings).map(([key, setting]) => [key, setting.read(input)])
  // Object.fromEntries cannot carry a mapped type: each value is its own setting's read.
  return Object.fromEntries(values) as SettingsOf<S>
}

const single = <T>(name: string, schema: TSchema, read: (value: unknown, input: SettingInput) => T): Setting<T> => ({
  variables: { [name]: schema },
  read: (input) => read(input.vars[name], input)
})
const text = (value: unknown): string => String(value)
/** A schema's `default`, only when there is one: an unset variable without one stays unset. */
const defaultOf = <T>(value: T | undefined) => value === undefined ? {} : { default: value }
const optionalText = (value: unknown): string | undefined => value === undefined ? undefined : String(value)

interface StringOptions { default?: string, minLength?: number }
/** Without a default, the variable may be unset. */
const stringSchema = ({ default: fallback, minLength }: StringOptions): TSchema => {
  const schema = Type.String({ ...(minLength === undefined ? {} : { minLength }), ...defaultOf(fallback) })
  return fallback === undefined ? Type.Optional(schema) : schema
}

function string (name: string, options: StringOptions & { default: string }): Setting<string>
function string (name: string, options?: StringOptions): Setting<string | undefined>
function string (name: string, options: StringOptions = {}): Setting<string | undefined> {
  return single(name, stringSchema(options), optionalText)
}

function port (name: string, options: { default: number }): Setting<number>
function port (name: string): Setting<number | undefined>
function port (name: string, options?: { default: number }): Setting<number | undefined> {
  const schema = Type.Integer({ minimum: 0, maximum: 65535, ...defaultOf(options?.default) })
  const read = (value: unknown) => value === undefined ? undefined : Number(value)
  return single(name, options === undefined ? Type.Optional(schema) : schema, read)
}

function duration (name: string, options: DurationLimits & { default: string }): Setting<number>
function duration (name: string, options: DurationLimits): Setting<number | undefined>
function duration (name: string, { default: fallback, ...limits }: DurationLimits & { default?: string }) {
  const schema = Type.String(defaultOf(fallback))
  return single(name, fallback === undefined ? Type.Optional(schema) : schema, (value, { env }) =>
    value === undefined ? undefined : env.duration(name, text(value), limits))
}

/** The building blocks of a table of settings. */
export const setting = {
  /** A string; with no default, an unset variable is `undefined`. */
  string,
  /** A TCP port, 0 to 65535; with no default, an unset variable is `undefined`. */
  port,
  /** A duration (`500ms`, `90s`, `15m`, `12h`, `30d`; a bare number is seconds) in `unit`, within bounds. */
  duration,
  /** `true`/`false`/`1`/`0`, the spellings people put in compose files. */
  boolean: (name: string, options: { default: boolean }): Setting<boolean> =>
    single(name, Type.Union([Type.Boolean(), Type.String()], { default: String(options.default) }), parseBoolean),

  /** One of a list of values; anything else is refused with the list. */
  oneOf: <const V extends readonly string[]>(name: string, values: V, options: { default: V[number] }) =>
    single(name, Type.Enum(values, { default: options.default }), (value): V[number] =>
      values.find((allowed) => allowed === value) ?? options.default),

  /**
   * A string turned into its value by `parse`, which throws `ConfigError` for a bad one; `fallback`
   * stands in for a bad value while the other variables are still read.
   */
  parsed: <T>(name: string, options: StringOptions & { parse: (value: string) => T, fallback: T }): Setting<T> =>
    single(name, stringSchema(options), (value, { env }) =>
      value === undefined ? options.fallback : env.check(name, () => options.parse(text(value))) ?? options.fallback),

  /** Several settings read as one object value. */
  object: <P extends Settings>(parts: P): Setting<SettingsOf<P>> => ({
    variables: settingVariables(parts),
    read: (input) => readEach(parts, input)
  }),

  /** A setting whose value is computed from another's, with access to the reader for problems. */
  map: <A, T>(base: Setting<A>, compute: (value: A, input: SettingInput) => T): Setting<T> => ({
    variables: base.variables,
    read: (input) => compute(base.read(input), input)
  })
}
