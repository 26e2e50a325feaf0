import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { durationMs, loadAiGeneration, overlayRuntime } from '../../lib/ai-generation-config';
import { ConfigError, loadConfig, withRuntimeValues } from '../../lib/config';

const SECURE: NodeJS.ProcessEnv = {
  JWT_SECRET: 'unit-test-jwt-secret-0123456789abcdef',
  TEMPORAL_PAYLOAD_CODEC_KEY: Buffer.alloc(32, 1).toString('base64'),
  DECISION_SIGNING_KEY: 'unit-test-decision-key-0123456789abcdef',
};

function file(doc: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ai-config-'));
  const f = path.join(dir, 'ai-generation.json');
  writeFileSync(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return f;
}

function errorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig({ ...SECURE, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('AiGeneration configuration from the per-environment file', () => {
  it('reads the repository file: every key with its default, from the file', () => {
    const loaded = loadAiGeneration({}, 'production', []);
    expect(loaded.file).toMatch(/config[/\\]ai-generation\.json$/);
    expect(loaded.sources['AiGeneration:Review:AdjudicationWindow']).toBe('file');
    expect(loaded.values['AiGeneration:Review:AdjudicationWindow']).toBe('14d');
  });

  it('lays the environment section over the default one, and environment variables over both', () => {
    const f = file({
      default: { 'AiGeneration:Review:ReviewWindow': '30d', 'AiGeneration:Enabled': true },
      staging: { 'AiGeneration:Review:ReviewWindow': '7d', 'AiGeneration:Enabled': false },
    });
    const staging = loadConfig({ ...SECURE, AI_GENERATION_ENVIRONMENT: 'staging', AI_GENERATION_CONFIG_FILE: f });
    expect(staging.aiGeneration).toMatchObject({ reviewWindow: '7d', enabled: false });
    expect(staging.aiGenerationKeys.sources['AiGeneration:Review:ReviewWindow']).toBe('file');
    const prod = loadConfig({ ...SECURE, AI_GENERATION_CONFIG_FILE: f });
    expect(prod.aiGeneration).toMatchObject({ reviewWindow: '30d', enabled: true });
    const overridden = loadConfig({
      ...SECURE,
      AI_GENERATION_ENVIRONMENT: 'staging',
      AI_GENERATION_CONFIG_FILE: f,
      AiGeneration__Review__ReviewWindow: '12h',
    });
    expect(overridden.aiGeneration.reviewWindow).toBe('12h');
    expect(overridden.aiGenerationKeys.sources['AiGeneration:Review:ReviewWindow']).toBe('environment');
  });

  it('names the key, the file and the section of an invalid file value', () => {
    const f = file({ production: { 'AiGeneration:DuplicateThresholds': { potential: 2, blocking: 0.9 } } });
    const message = errorOf({ AI_GENERATION_CONFIG_FILE: f });
    expect(message).toContain('AiGeneration:DuplicateThresholds');
    expect(message).toContain(f);
    expect(message).toContain('"production"');
  });

  it('refuses an unknown key in the file, naming it (a typo never falls back to a default)', () => {
    const f = file({ default: { 'AiGeneration:ReviewWindow': '3d' } });
    expect(errorOf({ AI_GENERATION_CONFIG_FILE: f })).toContain('AiGeneration:ReviewWindow');
  });

  it('refuses a template policy that names no registered template', () => {
    expect(errorOf({ AiGeneration__PromptTemplatePolicy: 'capability-generation@99' })).toMatch(
      /AiGeneration:PromptTemplatePolicy \(environment\): .*names no registered template/,
    );
  });

  it('refuses a file that is not JSON', () => {
    expect(errorOf({ AI_GENERATION_CONFIG_FILE: file('{ not json') })).toContain('ai-generation.json');
  });

  it('reports every invalid key at once', () => {
    const message = errorOf({
      AiGeneration__Review__AdjudicationWindow: 'two weeks',
      AiGeneration__AllowedRuntimes: 'Node 20',
    });
    expect(message).toContain('AiGeneration:Review:AdjudicationWindow (from AiGeneration__Review__AdjudicationWindow)');
    expect(message).toContain('AiGeneration:AllowedRuntimes (from AiGeneration__AllowedRuntimes)');
  });

  it.each([
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['14d', 1_209_600_000],
  ])('reads the duration %s as %d ms', (value, ms) => {
    expect(durationMs(value)).toBe(ms);
  });
});

describe('runtime values', () => {
  it('apply to tunable keys only, and a stored value that no longer validates is ignored', () => {
    const base = loadConfig({ ...SECURE });
    const c = withRuntimeValues(base, {
      'AiGeneration:Enabled': false,
      'AiGeneration:Review:ReviewWindow': 'forever',
      'Model:Providers': ['openai'],
    });
    expect(c.aiGeneration.enabled).toBe(false);
    expect(c.aiGenerationKeys.sources['AiGeneration:Enabled']).toBe('runtime');
    expect(c.aiGeneration.reviewWindow).toBe('30d');
    expect(c.modelProviders).toEqual(base.modelProviders);
    expect(overlayRuntime(base.aiGenerationKeys, {}).values).toEqual(base.aiGenerationKeys.values);
  });
});
