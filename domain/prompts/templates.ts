import { canonicalJson, sha256Hex } from '../deterministic-id';

/**
 * The server-side prompt template registry. Templates live in code, are registered (immutably)
 * in PostgreSQL when a worker starts, and are chosen by `AiGeneration:PromptTemplatePolicy` —
 * never by a client. A template binds only its declared parameter slots.
 */

export interface PromptTemplateSection {
  name: string;
  role: 'system' | 'user';
  text: string;
}

export interface PromptTemplate {
  templateId: string;
  version: number;
  description: string;
  parameterSlots: readonly string[];
  sections: readonly PromptTemplateSection[];
}

const PLATFORM_SYSTEM_PROMPT = [
  'You are the capability designer of the ToolNexus platform.',
  'You design one tool ("capability") that an AI agent can call: a manifest and JSON Schemas for its input and output.',
  'Answer with a single JSON object and nothing else.',
].join(' ');

const POLICY_CLAUSES = [
  'Policy clauses:',
  '- The capability starts in the Draft lifecycle state; never claim another state.',
  '- Declare exactly the target runtime you are given; allowed runtimes are {{allowedRuntimes}}.',
  '- Input and output schemas are JSON Schema objects ("type": "object") whose properties each declare a "type" and a "description".',
  '- Do not include credentials, secrets or personal data in any field; refer to them as configuration names.',
  '- Keep runtimeConstraints minimal: the smallest timeout, memory and network access that does the job.',
].join('\n');

const OUTPUT_SHAPE = [
  'Respond with JSON of this shape:',
  '{"manifest":{"name":string,"description":string,"version":"1.0.0","runtime":string,"language":string,"tags":[string]},',
  '"inputSchema":{JSON Schema},"outputSchema":{JSON Schema},',
  '"runtimeConstraints":{"timeoutMs":integer,"memoryMb":integer,"network":"none"|"egress-allowlist"|"full","allowedHosts":[string]},',
  '"scaffold":{"entrypoint":string,"files":[{"path":string,"purpose":string}]}}',
].join('\n');

const CAPABILITY_GENERATION_V1: PromptTemplate = {
  templateId: 'capability-generation',
  version: 1,
  description: 'Generate a capability manifest with input/output JSON Schemas from an admin intent.',
  parameterSlots: [
    'name',
    'problemStatement',
    'language',
    'targetRuntime',
    'seedInputSchema',
    'examples',
    'allowedRuntimes',
  ],
  sections: [
    { name: 'platform-system', role: 'system', text: PLATFORM_SYSTEM_PROMPT },
    { name: 'policy-clauses', role: 'system', text: POLICY_CLAUSES },
    { name: 'output-contract', role: 'system', text: OUTPUT_SHAPE },
    {
      name: 'capability-intent',
      role: 'user',
      text: [
        'Capability name: {{name}}',
        'Problem statement: {{problemStatement}}',
        'Implementation language: {{language}}',
        'Target runtime: {{targetRuntime}}',
        'Seed input schema (may be empty): {{seedInputSchema}}',
        'Examples of use (may be empty): {{examples}}',
      ].join('\n'),
    },
  ],
};

export const PROMPT_TEMPLATES: readonly PromptTemplate[] = [CAPABILITY_GENERATION_V1];

export function templateContentHash(t: PromptTemplate): string {
  return sha256Hex(canonicalJson({ parameterSlots: t.parameterSlots, sections: t.sections }));
}

export class UnknownTemplateError extends Error {
  override name = 'UnknownTemplateError';
}

/** `capability-generation@1` → the registered template, or a clear error. */
export function resolveTemplatePolicy(policy: string): PromptTemplate {
  const [id, versionText] = policy.split('@');
  const version = Number(versionText);
  const t = PROMPT_TEMPLATES.find((x) => x.templateId === id && x.version === version);
  if (!t) {
    const known = PROMPT_TEMPLATES.map((x) => `${x.templateId}@${x.version}`).join(', ');
    throw new UnknownTemplateError(`prompt template policy "${policy}" names no registered template (known: ${known})`);
  }
  return t;
}
