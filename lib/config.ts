import { z } from 'zod';
import {
  loadAiGeneration,
  overlayRuntime,
  type AiGenerationValues,
  type LoadedAiGeneration,
} from './ai-generation-config';

/**
 * Server configuration, read once from the environment.
 *
 * The plan's `AiGeneration:*` keys are read from environment variables spelled with `__` for `:`
 * (e.g. `AiGeneration__ContractValidation__StrictMode`), the usual convention for hierarchical keys
 * in an environment. The effective values are frozen into each execution snapshot and every change
 * is recorded in the configuration audit trail when a worker starts.
 */

export const MODEL_PROVIDERS = ['openai', 'local'] as const;
export type ModelProviderName = (typeof MODEL_PROVIDERS)[number];

const boolString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

/** The `AiGeneration:*` keys (defined in ./ai-generation-config) in the shape the code reads them. */
export interface AiGenerationConfig {
  enabled: boolean;
  allowedRuntimes: string[];
  duplicateThresholds: { potential: number; blocking: number };
  /** `<templateId>@<version>`: which registered template version runs use. */
  promptTemplatePolicy: string;
  contractValidationStrictMode: boolean;
  telemetryEmitPromptHashes: boolean;
  /** Durations such as "14d"; frozen into each run's snapshot in milliseconds. */
  adjudicationWindow: string;
  reviewWindow: string;
}

export function toAiGenerationConfig(v: AiGenerationValues): AiGenerationConfig {
  return {
    enabled: v['AiGeneration:Enabled'],
    allowedRuntimes: v['AiGeneration:AllowedRuntimes'],
    duplicateThresholds: v['AiGeneration:DuplicateThresholds'],
    promptTemplatePolicy: v['AiGeneration:PromptTemplatePolicy'],
    contractValidationStrictMode: v['AiGeneration:ContractValidation:StrictMode'],
    telemetryEmitPromptHashes: v['AiGeneration:Telemetry:EmitPromptHashes'],
    adjudicationWindow: v['AiGeneration:Review:AdjudicationWindow'],
    reviewWindow: v['AiGeneration:Review:ReviewWindow'],
  };
}

/**
 * Public, so only ever acceptable when explicitly enabled (`ALLOW_DEV_JWT_SECRET=true`) in
 * development or test, and only with the API bound to loopback.
 */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';
/** Public development keys for the payload codec and decision signing; same opt-in as above. */
export const DEV_PAYLOAD_CODEC_KEY = Buffer.alloc(32, 7).toString('base64');
export const DEV_DECISION_SIGNING_KEY = 'dev-only-decision-signing-key-0123456789abcdef';

/** Environments where development conveniences may be switched on; absent configuration is production. */
export const DEVELOPMENT_ENVIRONMENTS: readonly string[] = ['development', 'test'];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const base64Key32 = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded (AES-256)');

/** Security settings: token verification, Temporal transport, payload codec, decision signing, limits. */
const securitySchema = z.object({
  /** HS256 shared secret (development, or a single trusted issuer). */
  jwtSecret: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  /** RS256/EdDSA public keys of the identity provider (production). */
  jwtJwksUrl: z.url().optional(),
  jwtAudience: z.string().min(1).default('toolnexus-ai-generation'),
  /** Tokens older than this (by `iat`) are refused even when `exp` is further away. */
  jwtMaxTokenAgeSeconds: z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600)
    .default(12 * 3600),
  /** Roles a token may carry; anything else is refused. */
  allowedRoles: csv
    .pipe(z.array(z.string().min(1)).min(1))
    .default(['admin', 'capability-author', 'capability-reviewer', 'platform-admin']),
  allowDevJwtSecret: boolString.default(false),
  host: z.string().min(1).default('127.0.0.1'),
  exposeStackTraces: boolString.default(false),
  payloadCodecKey: base64Key32.optional(),
  payloadCodecKeyId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('k1'),
  /** Keys that still decrypt older payloads: `id=base64,id2=base64`. */
  payloadCodecPreviousKeys: z.string().optional(),
  /** Origins of the Temporal Web UI allowed to call the codec endpoint. */
  codecCorsOrigins: csv.default(['http://localhost:8233', 'http://127.0.0.1:8233']),
  decisionSigningKey: z.string().min(32, 'DECISION_SIGNING_KEY must be at least 32 characters').optional(),
  decisionTtlSeconds: z.coerce.number().int().positive().max(3600).default(300),
  temporalTls: boolString.default(false),
  temporalTlsCa: z.string().min(1).optional(),
  temporalTlsCert: z.string().min(1).optional(),
  temporalTlsKey: z.string().min(1).optional(),
  temporalTlsServerName: z.string().min(1).optional(),
  temporalApiKey: z.string().min(1).optional(),
  /** How long the API waits for a worker to answer an update before a 503. */
  updateTimeoutMs: z.coerce.number().int().positive().default(15_000),
  runsPerMinutePerTenant: z.coerce.number().int().positive().default(60),
  runsPerMinutePerPrincipal: z.coerce.number().int().positive().default(20),
  maxRunsInFlightPerTenant: z.coerce.number().int().positive().default(25),
  modelMaxTokens: z.coerce.number().int().positive().max(32_768).default(4096),
  runtimeMaxMemoryMb: z.coerce.number().int().positive().default(1024),
  runtimeMaxTimeoutMs: z.coerce.number().int().positive().default(60_000),
});
export type SecurityConfig = z.infer<typeof securitySchema>;

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/toolnexus';

const configSchema = z.object({
  environment: z.string().min(1).default('production'),
  databaseUrl: z.string().min(1).default(DEFAULT_DATABASE_URL),
  temporalAddress: z.string().min(1).default('127.0.0.1:7233'),
  temporalNamespace: z.string().min(1).default('default'),
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  jwtIssuer: z.string().min(1).default('toolnexus'),
  openaiApiKey: z.string().min(1).optional(),
  openaiBaseUrl: z.string().url().optional(),
  openaiModel: z.string().min(1).default('gpt-4o-mini'),
  openaiTimeoutMs: z.coerce.number().int().positive().default(60_000),
  /** Ordered provider chain; the workflow falls back along it. */
  modelProviders: csv.pipe(z.array(z.enum(MODEL_PROVIDERS)).min(1)).optional(),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  security: securitySchema,
});
export type AppConfig = Omit<z.infer<typeof configSchema>, 'modelProviders'> & {
  modelProviders: ModelProviderName[];
  aiGeneration: AiGenerationConfig;
  /** The same values by plan key, with where each came from (default, file, environment, runtime). */
  aiGenerationKeys: LoadedAiGeneration;
  /** The HS256 secret in force (JWT_SECRET, or the development secret when opted in); null with JWKS only. */
  jwtSecret: string | null;
  payloadCodecKey: { id: string; key: Buffer; previous: Array<{ id: string; key: Buffer }> } | null;
  decisionSigningKey: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function pick(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** The database URL alone, for tools that need nothing else (migrations): no keys required. */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return pick(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = {
    environment: pick(env, 'AI_GENERATION_ENVIRONMENT', 'NODE_ENV'),
    databaseUrl: pick(env, 'DATABASE_URL'),
    temporalAddress: pick(env, 'TEMPORAL_ADDRESS'),
    temporalNamespace: pick(env, 'TEMPORAL_NAMESPACE'),
    port: pick(env, 'PORT'),
    jwtIssuer: pick(env, 'JWT_ISSUER'),
    openaiApiKey: pick(env, 'OPENAI_API_KEY'),
    openaiBaseUrl: pick(env, 'OPENAI_BASE_URL'),
    openaiModel: pick(env, 'OPENAI_MODEL'),
    openaiTimeoutMs: pick(env, 'OPENAI_TIMEOUT_MS'),
    modelProviders: pick(env, 'AI_MODEL_PROVIDERS'),
    logLevel: pick(env, 'LOG_LEVEL'),
    security: {
      jwtSecret: pick(env, 'JWT_SECRET'),
      jwtJwksUrl: pick(env, 'JWT_JWKS_URL'),
      jwtAudience: pick(env, 'JWT_AUDIENCE'),
      jwtMaxTokenAgeSeconds: pick(env, 'JWT_MAX_TOKEN_AGE_SECONDS'),
      allowedRoles: pick(env, 'JWT_ALLOWED_ROLES'),
      allowDevJwtSecret: pick(env, 'ALLOW_DEV_JWT_SECRET'),
      host: pick(env, 'HOST'),
      exposeStackTraces: pick(env, 'EXPOSE_STACK_TRACES'),
      payloadCodecKey: pick(env, 'TEMPORAL_PAYLOAD_CODEC_KEY'),
      payloadCodecKeyId: pick(env, 'TEMPORAL_PAYLOAD_CODEC_KEY_ID'),
      payloadCodecPreviousKeys: pick(env, 'TEMPORAL_PAYLOAD_CODEC_PREVIOUS_KEYS'),
      codecCorsOrigins: pick(env, 'TEMPORAL_CODEC_CORS_ORIGINS'),
      decisionSigningKey: pick(env, 'DECISION_SIGNING_KEY'),
      decisionTtlSeconds: pick(env, 'DECISION_TTL_SECONDS'),
      temporalTls: pick(env, 'TEMPORAL_TLS'),
      temporalTlsCa: pick(env, 'TEMPORAL_TLS_CA'),
      temporalTlsCert: pick(env, 'TEMPORAL_TLS_CERT'),
      temporalTlsKey: pick(env, 'TEMPORAL_TLS_KEY'),
      temporalTlsServerName: pick(env, 'TEMPORAL_TLS_SERVER_NAME'),
      temporalApiKey: pick(env, 'TEMPORAL_API_KEY'),
      updateTimeoutMs: pick(env, 'UPDATE_TIMEOUT_MS'),
      runsPerMinutePerTenant: pick(env, 'RATE_LIMIT_RUNS_PER_MINUTE_PER_TENANT'),
      runsPerMinutePerPrincipal: pick(env, 'RATE_LIMIT_RUNS_PER_MINUTE_PER_PRINCIPAL'),
      maxRunsInFlightPerTenant: pick(env, 'MAX_RUNS_IN_FLIGHT_PER_TENANT'),
      modelMaxTokens: pick(env, 'MODEL_MAX_TOKENS'),
      runtimeMaxMemoryMb: pick(env, 'RUNTIME_MAX_MEMORY_MB'),
      runtimeMaxTimeoutMs: pick(env, 'RUNTIME_MAX_TIMEOUT_MS'),
    },
  };
  const parsed = configSchema.safeParse(raw);
  // The AiGeneration:* keys come from the per-environment file and the environment; errors name the key.
  const keyErrors: string[] = [];
  const aiGenerationKeys = loadAiGeneration(
    env,
    parsed.data?.environment ?? raw.environment ?? 'production',
    keyErrors,
  );
  if (!parsed.success || keyErrors.length > 0) {
    const details = [
      ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
      ...keyErrors,
    ].join('; ');
    throw new ConfigError(`invalid configuration: ${details}`);
  }
  const c = parsed.data;
  const sec = resolveSecurity(c.environment, c.security);
  // The chain is what is configured, nothing more: `local` is a development runtime and is never
  // appended as a fallback. Unconfigured, a key means OpenAI alone; without one the local runtime
  // is all there is, and its drafts say so (in production they cannot be promoted past Review).
  const modelProviders: ModelProviderName[] = c.modelProviders ?? (c.openaiApiKey ? ['openai'] : ['local']);
  if (modelProviders.includes('openai') && !c.openaiApiKey) {
    throw new ConfigError('invalid configuration: AI_MODEL_PROVIDERS includes openai but OPENAI_API_KEY is not set');
  }
  return {
    ...c,
    modelProviders,
    ...sec,
    aiGeneration: toAiGenerationConfig(aiGenerationKeys.values),
    aiGenerationKeys,
  };
}

/** The configuration with admins' runtime changes (tunable keys only) laid over the deployed values. */
export function withRuntimeValues(config: AppConfig, runtime: Partial<Record<string, unknown>>): AppConfig {
  const aiGenerationKeys = overlayRuntime(config.aiGenerationKeys, runtime);
  return { ...config, aiGenerationKeys, aiGeneration: toAiGenerationConfig(aiGenerationKeys.values) };
}

/**
 * Safe defaults: absent configuration is production, and production refuses to start without a
 * real token key, payload codec key and decision-signing key. The public development keys are
 * used only when `ALLOW_DEV_JWT_SECRET=true` in development/test with the API on loopback.
 */
function resolveSecurity(
  environment: string,
  s: SecurityConfig,
): Pick<AppConfig, 'jwtSecret' | 'payloadCodecKey' | 'decisionSigningKey'> {
  const devAllowed = s.allowDevJwtSecret;
  if (devAllowed) {
    if (!DEVELOPMENT_ENVIRONMENTS.includes(environment)) {
      throw new ConfigError(
        `invalid configuration: ALLOW_DEV_JWT_SECRET is only honoured in development or test (environment is "${environment}")`,
      );
    }
    if (!isLoopbackHost(s.host)) {
      throw new ConfigError(
        `invalid configuration: ALLOW_DEV_JWT_SECRET requires the API to bind to loopback (HOST is "${s.host}")`,
      );
    }
  }
  if (s.jwtSecret === DEV_JWT_SECRET && !devAllowed) {
    throw new ConfigError('invalid configuration: JWT_SECRET is the public development secret; set a real one');
  }
  const jwtSecret = s.jwtSecret ?? (devAllowed ? DEV_JWT_SECRET : null);
  if (jwtSecret === null && !s.jwtJwksUrl) {
    throw new ConfigError(
      'invalid configuration: set JWT_SECRET (32+ characters) or JWT_JWKS_URL; for a local development stack set ALLOW_DEV_JWT_SECRET=true with AI_GENERATION_ENVIRONMENT=development',
    );
  }
  let payloadCodecKey: AppConfig['payloadCodecKey'] = null;
  const codecKey = s.payloadCodecKey ?? (devAllowed ? DEV_PAYLOAD_CODEC_KEY : undefined);
  if (codecKey) {
    const previous: Array<{ id: string; key: Buffer }> = [];
    for (const part of (s.payloadCodecPreviousKeys ?? '').split(',').filter((x) => x.trim())) {
      const at = part.indexOf('=');
      const id = part.slice(0, at).trim();
      const key = Buffer.from(part.slice(at + 1).trim(), 'base64');
      if (at < 1 || key.length !== 32) {
        throw new ConfigError(
          'invalid configuration: TEMPORAL_PAYLOAD_CODEC_PREVIOUS_KEYS wants id=base64(32 bytes),…',
        );
      }
      previous.push({ id, key });
    }
    payloadCodecKey = { id: s.payloadCodecKeyId, key: Buffer.from(codecKey, 'base64'), previous };
  } else if (!DEVELOPMENT_ENVIRONMENTS.includes(environment)) {
    throw new ConfigError(
      `invalid configuration: TEMPORAL_PAYLOAD_CODEC_KEY (32 bytes, base64) is required in ${environment}: Temporal payloads are encrypted`,
    );
  }
  const decisionSigningKey = s.decisionSigningKey ?? (devAllowed ? DEV_DECISION_SIGNING_KEY : undefined);
  if (!decisionSigningKey) {
    throw new ConfigError(
      'invalid configuration: DECISION_SIGNING_KEY (32+ characters) is required: reviewer decisions reach workflows signed by the API',
    );
  }
  if ((s.temporalTlsCert === undefined) !== (s.temporalTlsKey === undefined)) {
    throw new ConfigError('invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY come together (mTLS)');
  }
  return { jwtSecret, payloadCodecKey, decisionSigningKey };
}

/** The configuration values that shape a run; frozen into the snapshot and audited. Never secrets. */
export function effectiveGenerationConfig(config: AppConfig): Record<string, unknown> {
  return {
    ...config.aiGenerationKeys.values,
    'Model:Providers': config.modelProviders,
    'Model:OpenAI:Model': config.openaiModel,
  };
}
