import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { clientSecretIn } from './client-secret.js'
import { freePort } from './free-port.js'
import { runAuthCli, startService, type ServiceProcess } from './service-process.js'

/** A consumer's Shared Signals credentials: the variables that make it a receiver of the auth service. */
export interface SignalReceiver {
  clientId: string
  /** SSF_CLIENT_ID and SSF_CLIENT_SECRET_FILE (the secret written to a 0600 file in `dir`). */
  env: Record<string, string>
}

/**
 * Registers `clientId` as a Shared Signals receiver (`clients add <id> --ssf-receiver`) with the
 * auth service's environment `authEnv`, and writes its secret to a file in `dir` for the consumer.
 */
export async function registerSignalReceiver (
  clientId: string, authEnv: Record<string, string>, dir: string
): Promise<SignalReceiver> {
  const { code, stdout, stderr } = await runAuthCli('clients', ['add', clientId, '--ssf-receiver'], authEnv)
  const secret = clientSecretIn(stdout)
  if (code !== 0 || secret === undefined) {
    // Never stdout: it holds the secret.
    throw new Error(`clients add ${clientId} --ssf-receiver exited with ${code}: ${stderr.trim() || 'no secret'}`)
  }
  const file = join(dir, `${clientId}.secret`)
  await writeFile(file, secret, { mode: 0o600 })
  return { clientId, env: { SSF_CLIENT_ID: clientId, SSF_CLIENT_SECRET_FILE: file } }
}

/** A consumer started as a Shared Signals receiver, and the environment to start it again with. */
export interface ReceiverConsumer {
  process: ServiceProcess
  env: Record<string, string>
}

export interface ReceiverConsumerOptions {
  issuer: string
  authEnv: Record<string, string>
  /** Where each consumer's DATA_DIR and secret file go. */
  dir: string
  env?: Record<string, string>
  /** Told of each process as it starts, so that the caller stops it whatever happens next. */
  started: (process: ServiceProcess) => void
}

/**
 * Registers each of `clientIds` as a receiver of the auth service (`authEnv`) and starts a consumer for it
 * that trusts `issuer`; resolves once all are ready (which for a receiver means caught up).
 */
export async function startReceiverConsumers (
  clientIds: readonly string[], { issuer, authEnv, dir, env = {}, started }: ReceiverConsumerOptions
): Promise<ReceiverConsumer[]> {
  return Promise.all(clientIds.map(async (clientId) => {
    const receiver = await registerSignalReceiver(clientId, authEnv, dir)
    const dataDir = join(dir, clientId)
    await mkdir(dataDir)
    const consumerEnv = { ...env, ISSUER: issuer, DATA_DIR: dataDir, ...receiver.env }
    const consumer = startService('consumer-service', await freePort(), consumerEnv)
    started(consumer)
    await consumer.waitUntilReady()
    return { process: consumer, env: consumerEnv }
  }))
}
