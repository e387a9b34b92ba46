export { type CalendarPeriod, calendarPeriod } from "./calendar.js";
export { formatResetDuration, rateLimitHeaders } from "./headers.js";
export { LeaseKeeper } from "./lease-keeper.js";
export type {
  Admission,
  AdmissionRequest,
  Admitted,
  Limiter,
  LimitName,
  LimitState,
  LimitsSnapshot,
  ReadRequest,
  Refused,
  Unavailable,
  Usage,
  WindowState,
  WindowUsage,
} from "./limiter.js";
export { LimiterUnavailableError } from "./limiter.js";
export { MemoryLimiter, type MemoryLimiterOptions } from "./memory-limiter.js";
export type { FailMode, LimiterLogger, LimiterMetrics, LimiterOperation } from "./outage.js";
export { DEFAULT_LEASE_MS } from "./plan.js";
export {
  type ActorBudget,
  type BudgetPeriod,
  type BudgetPolicy,
  type FeaturePolicy,
  isUnlimited,
  policyFor,
  type WindowLimit,
} from "./policy.js";
export { limiterRedisOptions, RedisLimiter, type RedisLimiterOptions } from "./redis-limiter.js";
export { type FeatureLimitsInput, type LimitsView, limitsView } from "./snapshot.js";
export type { Ticket } from "./ticket.js";
