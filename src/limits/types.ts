/**
 * What a request uses, or is expected to use, of the token and budget limits. Its own file because
 * both the Limiter contract and the plans under it need it (limiter.ts → ticket.ts → plan.ts).
 */
export interface Usage {
  tokens: number;
  costUsd: number;
}
