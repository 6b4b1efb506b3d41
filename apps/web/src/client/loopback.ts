/**
 * Whether `url` names this machine: 127.0.0.1, [::1], `localhost` or any name under it. Browsers resolve
 * every `*.localhost` name to loopback without asking DNS and treat it as a secure context (RFC 6761 §6.3),
 * so a local stack's `http://auth.localhost:3001` is as local as `http://localhost:3001`.
 */
export const isLoopback = ({ hostname }: URL): boolean =>
  ['127.0.0.1', '[::1]'].includes(hostname) || hostname === 'localhost' || hostname.endsWith('.localhost')
