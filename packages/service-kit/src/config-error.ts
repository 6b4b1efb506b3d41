/** Thrown when the environment does not describe a valid configuration; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly code = 'CONFIG_ERROR'
}
