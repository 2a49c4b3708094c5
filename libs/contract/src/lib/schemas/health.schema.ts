import { Type } from '@sinclair/typebox';
import { HEALTH_CHECK_STATUSES, HEALTH_INDICATOR_STATUSES } from '../health';
import { JsonObjectSchema } from './common.schema';

/** One check of a probe's answer: `up` or `down`, and what it says besides (`message` when down). */
export const HealthIndicatorSchema = Type.Intersect([
  Type.Object({ status: Type.Union(HEALTH_INDICATOR_STATUSES.map((s) => Type.Literal(s))) }),
  JsonObjectSchema,
]);

const HealthIndicatorsSchema = Type.Record(Type.String(), HealthIndicatorSchema, {
  description: 'By check name: `process` for liveness; `store`, `sessions` and `lifecycle` for readiness',
});

/** The answer of `GET /health`, and of `GET /health/ready` when ready (a `503` is the error shape). */
export const HealthCheckSchema = Type.Object({
  status: Type.Union(HEALTH_CHECK_STATUSES.map((s) => Type.Literal(s))),
  /** The checks that are up. */
  info: Type.Optional(HealthIndicatorsSchema),
  /** The checks that are down. */
  error: Type.Optional(HealthIndicatorsSchema),
  /** Every check. */
  details: HealthIndicatorsSchema,
});
