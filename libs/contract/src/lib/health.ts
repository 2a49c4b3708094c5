import type { Static } from '@sinclair/typebox';
import type { HealthCheckSchema, HealthIndicatorSchema } from './schemas/health.schema';

// The types are the schemas' (./schemas/health.schema.ts): one statement of each shape.

export const HEALTH_CHECK_STATUSES = ['ok', 'error', 'shutting_down'] as const;
export const HEALTH_INDICATOR_STATUSES = ['up', 'down'] as const;

/** One check of a probe's answer (`{"status": "up", "uptimeSeconds": 12}`). */
export type HealthIndicator = Static<typeof HealthIndicatorSchema>;

/** The answer of `GET /health`, and of `GET /health/ready` when ready (`200`). */
export type HealthCheck = Static<typeof HealthCheckSchema>;
