/** The sample lines of one metric in a Prometheus text exposition, without HELP and TYPE. */
export function samples (text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
}
