import type { AppConfig } from '../lib/config';

/** The API's security settings, taken from configuration once (lib/config.ts `security`). */
export interface AppSecurity {
  decisionSigningKey: string;
  decisionTtlSeconds: number;
  updateTimeoutMs: number;
  runsPerMinutePerTenant: number;
  runsPerMinutePerPrincipal: number;
  maxRunsInFlightPerTenant: number;
  /** What a run denied at the edge is judged against (same rules as the authority activity). */
  authority: { enabled: boolean; allowedRuntimes: string[] };
  codec: { key: NonNullable<AppConfig['payloadCodecKey']>; corsOrigins: string[] } | null;
}

export function appSecurityFrom(config: AppConfig): AppSecurity {
  const s = config.security;
  return {
    decisionSigningKey: config.decisionSigningKey,
    decisionTtlSeconds: s.decisionTtlSeconds,
    updateTimeoutMs: s.updateTimeoutMs,
    runsPerMinutePerTenant: s.runsPerMinutePerTenant,
    runsPerMinutePerPrincipal: s.runsPerMinutePerPrincipal,
    maxRunsInFlightPerTenant: s.maxRunsInFlightPerTenant,
    authority: { enabled: config.aiGeneration.enabled, allowedRuntimes: config.aiGeneration.allowedRuntimes },
    codec: config.payloadCodecKey ? { key: config.payloadCodecKey, corsOrigins: s.codecCorsOrigins } : null,
  };
}

/** Token verification settings from configuration. */
export function authOptionsFrom(config: AppConfig) {
  return {
    secret: config.jwtSecret,
    jwksUrl: config.security.jwtJwksUrl,
    issuer: config.jwtIssuer,
    audience: config.security.jwtAudience,
    maxTokenAgeSeconds: config.security.jwtMaxTokenAgeSeconds,
    allowedRoles: config.security.allowedRoles,
    loopbackOnly:
      config.security.allowDevJwtSecret && config.jwtSecret !== null && config.security.jwtSecret === undefined,
  };
}
