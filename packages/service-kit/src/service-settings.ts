import { LOG_FORMATS, LOG_LEVELS, prettyLogs } from './env.js'
import { REQUEST_TIMEOUT_SETTING } from './server-options.js'
import { setting } from './settings.js'
import { checkDatabaseUrl } from './sql/database-url.js'
import { TLS_SETTING } from './tls.js'
import { TRUST_PROXY_SETTING } from './trust-proxy.js'

/** The settings of every service's listener; only the default port differs. */
export const listenerSettings = (defaultPort: number) => ({
  port: setting.port('PORT', { default: defaultPort }),
  /** Loopback only by default; `0.0.0.0` listens on every interface. */
  host: setting.string('HOST', { default: '127.0.0.1', minLength: 1 }),
  tls: TLS_SETTING,
  requestTimeoutMs: REQUEST_TIMEOUT_SETTING,
  trustProxy: TRUST_PROXY_SETTING
})

/** Where a service keeps its data: SQLite in `dataDir`, or PostgreSQL at `databaseUrl`. */
export const DATABASE_SETTINGS = {
  /** `DATA_DIR`: where the SQLite database lives (when there is no `databaseUrl`). */
  dataDir: setting.string('DATA_DIR', { default: './data', minLength: 1 }),
  /** `DATABASE_URL`: PostgreSQL instead of SQLite. */
  databaseUrl: setting.parsed('DATABASE_URL', {
    minLength: 1, parse: (value) => checkDatabaseUrl('DATABASE_URL', value), fallback: undefined
  }),
  /** `DATABASE_CONNECT_TIMEOUT`: how long a statement waits for a connection before it is answered 503. */
  databaseConnectTimeoutMs: setting.duration('DATABASE_CONNECT_TIMEOUT', {
    default: '5s', unit: 'ms', min: '100ms', max: '60s'
  }),
  /** `DATABASE_START_WAIT`: how long the start-up waits for a PostgreSQL server that is not up yet. */
  databaseStartWaitMs: setting.duration('DATABASE_START_WAIT', { default: '30s', unit: 'ms', max: '10m' })
}

export const METRICS_SETTINGS = {
  /** `METRICS_ENABLED`: serve `GET /metrics` (Prometheus text). */
  metricsEnabled: setting.boolean('METRICS_ENABLED', { default: true }),
  /** `METRICS_PORT`: serve it on its own listener on HOST; undefined means on `port`, beside the API. */
  metricsPort: setting.port('METRICS_PORT')
}

export const LOG_SETTINGS = {
  logLevel: setting.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
  /** `LOG_FORMAT`: `auto` pretty-prints in a terminal only. */
  prettyLogs: setting.map(setting.oneOf('LOG_FORMAT', LOG_FORMATS, { default: 'auto' }),
    (format, { isTty }) => prettyLogs(format, isTty))
}
