/** The line of `clients add` that carries the new client's secret (shown once). */
const SECRET_LINE = /^client_secret \(shown once, store it now\): (\S+)$/m

/** The secret in the output of `clients add`, or undefined if the output has none. */
export function clientSecretIn (stdout: string): string | undefined {
  return SECRET_LINE.exec(stdout)?.[1]
}
