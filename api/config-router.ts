import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database';
import {
  changeConfigurationValue,
  listConfigurationAudit,
  runtimeConfigValues,
} from '../db/repositories/configuration-audit';
import { resolveTemplatePolicy } from '../domain/prompts/templates';
import {
  AI_GENERATION_KEYS,
  AI_GENERATION_KEY_NAMES,
  isAiGenerationKey,
  parseKeyValue,
  type AiGenerationKey,
} from '../lib/ai-generation-config';
import { withRuntimeValues, type AppConfig } from '../lib/config';
import { principalOf } from './auth';
import { BadRequestError, ConflictError, NotFoundError } from './errors';
import { parseBody, parseWith } from './schemas';

/**
 * Governed configuration: the effective `AiGeneration:*` values of this environment (deployed
 * values with admins' runtime changes on top) and the fixed deployment keys, secrets masked; the
 * audit trail; and the one way to change a tunable key at run time. A change applies to runs that
 * start afterwards: each run's execution snapshot freezes the values it used.
 */

const MASK = '********';

const changeBody = z
  .object({
    value: z.unknown(),
    reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(1000),
  })
  .strict();

const auditQuery = z
  .object({
    key: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export interface ConfigEntry {
  key: string;
  value: unknown;
  source: string;
  tunable: boolean;
  secret: boolean;
  description: string;
}

/** Keys fixed at deployment: read from the environment at start, changed only by redeploying. */
function fixedEntries(config: AppConfig): ConfigEntry[] {
  return [
    {
      key: 'Model:Providers',
      value: config.modelProviders,
      description: 'Ordered model provider chain (AI_MODEL_PROVIDERS).',
    },
    { key: 'Model:OpenAI:Model', value: config.openaiModel, description: 'OpenAI model (OPENAI_MODEL).' },
    {
      key: 'Model:OpenAI:BaseUrl',
      value: config.openaiBaseUrl ?? null,
      description: 'OpenAI-compatible endpoint (OPENAI_BASE_URL).',
    },
    {
      key: 'Model:OpenAI:ApiKey',
      value: config.openaiApiKey ? MASK : null,
      secret: true,
      description: 'OpenAI API key (OPENAI_API_KEY); never shown.',
    },
  ].map((e) => ({ source: 'environment', tunable: false, secret: false, ...e }));
}

export function configRouter(deps: { db: Db; config: AppConfig; clock: () => Date }): Router {
  const router = Router();
  const environment = deps.config.environment;

  async function effective(): Promise<AppConfig> {
    return withRuntimeValues(deps.config, await runtimeConfigValues(deps.db, environment));
  }

  router.get('/config', async (_req, res) => {
    const cfg = await effective();
    const keys: ConfigEntry[] = AI_GENERATION_KEY_NAMES.map((k) => ({
      key: k,
      value: cfg.aiGenerationKeys.values[k],
      source: cfg.aiGenerationKeys.sources[k],
      tunable: AI_GENERATION_KEYS[k].tunable,
      secret: false,
      description: AI_GENERATION_KEYS[k].description,
    }));
    // The file by its name relative to the service's directory: no need to show the host's layout.
    const file = cfg.aiGenerationKeys.file ? path.relative(process.cwd(), cfg.aiGenerationKeys.file) : null;
    res.json({ environment, file, keys: [...keys, ...fixedEntries(cfg)] });
  });

  router.get('/config/audit', async (req, res) => {
    const q = parseWith(auditQuery, req.query, 'query');
    const rows = await listConfigurationAudit(deps.db, environment, { key: q.key, limit: q.limit });
    res.json({
      environment,
      items: rows.map((r) => ({
        id: r.id,
        environment: r.environment,
        key: r.config_key,
        oldValue: r.old_value,
        newValue: r.new_value,
        changedBy: r.changed_by,
        changedAtUtc: r.changed_at_utc.toISOString(),
        reason: r.reason,
        source: r.source,
      })),
    });
  });

  router.put('/config/:key', async (req, res) => {
    const key = String(req.params.key);
    if (!isAiGenerationKey(key)) {
      if (fixedEntries(deps.config).some((e) => e.key === key)) {
        throw new ConflictError(`${key} is fixed at deployment and cannot be changed at run time`);
      }
      throw new NotFoundError(`no configuration key ${key}`);
    }
    if (!AI_GENERATION_KEYS[key].tunable) {
      throw new ConflictError(`${key} is fixed at deployment and cannot be changed at run time`);
    }
    const body = parseBody(changeBody, req.body);
    if (body.value === undefined) throw new BadRequestError(`${key}: "value" is required`);
    const parsed = parseKeyValue(key, body.value, 'request body');
    if (!parsed.ok)
      throw new BadRequestError(parsed.error, { invalidFields: [{ field: 'value', message: parsed.error }] });
    checkReferences(key, parsed.value);
    const principal = principalOf(req);
    const change = await changeConfigurationValue(deps.db, {
      environment,
      key,
      value: parsed.value,
      deployedValue: deps.config.aiGenerationKeys.values[key],
      changedBy: principal.subject,
      reason: body.reason,
      at: deps.clock(),
    });
    res.json({
      id: change.id,
      environment,
      key,
      oldValue: change.oldValue,
      newValue: change.newValue,
      changedBy: principal.subject,
      changedAtUtc: change.changedAtUtc.toISOString(),
      reason: body.reason,
      appliesTo: 'runs started after this change; runs in flight keep the values frozen in their snapshot',
    });
  });

  return router;
}

/** Values that name other things must name something that exists. */
function checkReferences(key: AiGenerationKey, value: unknown): void {
  if (key === 'AiGeneration:PromptTemplatePolicy') {
    try {
      resolveTemplatePolicy(String(value));
    } catch (err) {
      throw new BadRequestError(`${key}: ${(err as Error).message}`);
    }
  }
}
