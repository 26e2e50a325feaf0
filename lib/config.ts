import { z } from 'zod';

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

const thresholds = z
  .string()
  .transform((s, ctx) => {
    // "potential=0.80,blocking=0.95"
    const out: Record<string, number> = {};
    for (const part of s.split(',')) {
      const [k, v] = part.split('=').map((x) => x.trim());
      const n = Number(v);
      if (!k || !v || !Number.isFinite(n) || n < 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: `invalid threshold entry "${part}" (want name=0..1)` });
        return z.NEVER;
      }
      out[k] = n;
    }
    return out;
  })
  .pipe(
    z
      .object({ potential: z.number(), blocking: z.number() })
      .strict()
      .refine((t) => t.potential <= t.blocking, 'potential threshold must not exceed blocking threshold'),
  );

const aiGenerationSchema = z.object({
  enabled: boolString.default(true),
  allowedRuntimes: csv.default(['node20', 'python3.12']),
  duplicateThresholds: thresholds.default({ potential: 0.8, blocking: 0.95 }),
  /** `<templateId>@<version>`: which registered template version runs use. */
  promptTemplatePolicy: z
    .string()
    .regex(/^[a-z0-9-]+@[0-9]+$/, 'want <templateId>@<version>, e.g. capability-generation@1')
    .default('capability-generation@1'),
  contractValidationStrictMode: boolString.default(true),
  telemetryEmitPromptHashes: boolString.default(true),
});
export type AiGenerationConfig = z.infer<typeof aiGenerationSchema>;

/** Public, so only ever acceptable in development and test. */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

const configSchema = z.object({
  environment: z.string().min(1).default('development'),
  databaseUrl: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/toolnexus'),
  temporalAddress: z.string().min(1).default('127.0.0.1:7233'),
  temporalNamespace: z.string().min(1).default('default'),
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  jwtSecret: z.string().min(32, 'JWT_SECRET must be at least 32 characters').default(DEV_JWT_SECRET),
  jwtIssuer: z.string().min(1).default('toolnexus-dev'),
  openaiApiKey: z.string().min(1).optional(),
  openaiBaseUrl: z.string().url().optional(),
  openaiModel: z.string().min(1).default('gpt-4o-mini'),
  openaiTimeoutMs: z.coerce.number().int().positive().default(60_000),
  /** Ordered provider chain; the workflow falls back along it. */
  modelProviders: csv.pipe(z.array(z.enum(MODEL_PROVIDERS)).min(1)).optional(),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  aiGeneration: aiGenerationSchema,
});
export type AppConfig = Omit<z.infer<typeof configSchema>, 'modelProviders'> & {
  modelProviders: ModelProviderName[];
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = {
    environment: pick(env, 'AI_GENERATION_ENVIRONMENT', 'NODE_ENV'),
    databaseUrl: pick(env, 'DATABASE_URL'),
    temporalAddress: pick(env, 'TEMPORAL_ADDRESS'),
    temporalNamespace: pick(env, 'TEMPORAL_NAMESPACE'),
    port: pick(env, 'PORT'),
    jwtSecret: pick(env, 'JWT_SECRET'),
    jwtIssuer: pick(env, 'JWT_ISSUER'),
    openaiApiKey: pick(env, 'OPENAI_API_KEY'),
    openaiBaseUrl: pick(env, 'OPENAI_BASE_URL'),
    openaiModel: pick(env, 'OPENAI_MODEL'),
    openaiTimeoutMs: pick(env, 'OPENAI_TIMEOUT_MS'),
    modelProviders: pick(env, 'AI_MODEL_PROVIDERS'),
    logLevel: pick(env, 'LOG_LEVEL'),
    aiGeneration: {
      enabled: pick(env, 'AiGeneration__Enabled'),
      allowedRuntimes: pick(env, 'AiGeneration__AllowedRuntimes'),
      duplicateThresholds: pick(env, 'AiGeneration__DuplicateThresholds'),
      promptTemplatePolicy: pick(env, 'AiGeneration__PromptTemplatePolicy'),
      contractValidationStrictMode: pick(env, 'AiGeneration__ContractValidation__StrictMode'),
      telemetryEmitPromptHashes: pick(env, 'AiGeneration__Telemetry__EmitPromptHashes'),
    },
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${details}`);
  }
  const c = parsed.data;
  if (c.jwtSecret === DEV_JWT_SECRET && !['development', 'test'].includes(c.environment)) {
    throw new ConfigError(
      `invalid configuration: JWT_SECRET must be set outside development (environment is "${c.environment}")`,
    );
  }
  // With a key the real provider leads and the local adapter is the visible fallback;
  // without one only the local adapter runs, and every record says so.
  const modelProviders: ModelProviderName[] = c.modelProviders ?? (c.openaiApiKey ? ['openai', 'local'] : ['local']);
  if (modelProviders.includes('openai') && !c.openaiApiKey) {
    throw new ConfigError('invalid configuration: AI_MODEL_PROVIDERS includes openai but OPENAI_API_KEY is not set');
  }
  return { ...c, modelProviders };
}

/** The configuration values that shape a run; frozen into the snapshot and audited. Never secrets. */
export function effectiveGenerationConfig(config: AppConfig): Record<string, unknown> {
  return {
    'AiGeneration:Enabled': config.aiGeneration.enabled,
    'AiGeneration:AllowedRuntimes': config.aiGeneration.allowedRuntimes,
    'AiGeneration:DuplicateThresholds': config.aiGeneration.duplicateThresholds,
    'AiGeneration:PromptTemplatePolicy': config.aiGeneration.promptTemplatePolicy,
    'AiGeneration:ContractValidation:StrictMode': config.aiGeneration.contractValidationStrictMode,
    'AiGeneration:Telemetry:EmitPromptHashes': config.aiGeneration.telemetryEmitPromptHashes,
    'Model:Providers': config.modelProviders,
    'Model:OpenAI:Model': config.openaiModel,
  };
}
