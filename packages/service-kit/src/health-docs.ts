/** How a service's /docs page describes one operation: its group, a one-line summary and a paragraph. */
export interface OperationDoc {
  tags: [string]
  summary: string
  description: string
}

/** The /docs group of the health routes (`healthRoutes`), the same on every service. */
export const HEALTH_TAG = { name: 'Health', description: 'Probes for an orchestrator or load balancer.' }

/** The /docs entries of `healthRoutes`, by `METHOD path`; `readiness` says when this service is ready. */
export function healthOperations (readiness: string): Record<string, OperationDoc> {
  return {
    'GET /health/live': {
      tags: [HEALTH_TAG.name],
      summary: 'Liveness',
      description: 'Answers 200 while the process serves requests.'
    },
    'GET /health/ready': { tags: [HEALTH_TAG.name], summary: 'Readiness', description: readiness }
  }
}
