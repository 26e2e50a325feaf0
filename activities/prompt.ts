import { getPromptTemplate, insertPromptRun } from '../db/repositories/prompts';
import { deterministicUuid } from '../lib/deterministic-id';
import type { GenerationRunInput, RuntimeIdentity } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { assemblePrompt, type PromptMessage } from './prompts/assemble';
import { resolveTemplatePolicy, templateContentHash } from './prompts/templates';
import { commitStep } from './telemetry/record';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from './telemetry/event';

export interface AssemblePromptInput {
  run: GenerationRunInput;
  promptRunId: string;
  template: { id: string; version: number };
  allowedRuntimes: string[];
  primaryRuntime: RuntimeIdentity;
  emitPromptHashes: boolean;
  trace: TraceContext;
}

export interface AssembledPromptResult {
  promptRunId: string;
  promptHash: string;
  messages: PromptMessage[];
}

/** Binds the frozen template version to the intent and records the redacted evidence. */
export function createAssemblePrompt(deps: ActivityDeps) {
  return async function assemblePromptActivity(input: AssemblePromptInput): Promise<AssembledPromptResult> {
    const { run, promptRunId, trace } = input;
    const template = resolveTemplatePolicy(`${input.template.id}@${input.template.version}`);
    const registered = await getPromptTemplate(deps.db, template.templateId, template.version);
    if (!registered || registered.content_hash !== templateContentHash(template)) {
      throw new Error(`prompt template ${template.templateId}@${template.version} is not registered with this content`);
    }
    const prompt = assemblePrompt(template, run.intent, { allowedRuntimes: input.allowedRuntimes });
    const event = buildTelemetryEvent(
      deterministicUuid(promptRunId, 'PROMPT_ASSEMBLED'),
      trace,
      'PROMPT_ASSEMBLED',
      'prompt',
      'ASSEMBLED',
      {
        promptHash: input.emitPromptHashes ? prompt.promptHash : null,
        details: {
          tokenEstimate: prompt.tokenEstimate,
          redactions: prompt.redactions,
          budgetActions: prompt.budgetActions,
        },
      },
    );
    await commitStep(deps, [event], (trx) =>
      insertPromptRun(trx, {
        id: promptRunId,
        ...evidenceLinks(trace),
        prompt_template_ref: registered.id,
        template_id: template.templateId,
        template_version: template.version,
        prompt_hash: prompt.promptHash,
        prompt_sections: JSON.stringify(prompt.sections),
        redactions: JSON.stringify(prompt.redactions),
        token_estimate: prompt.tokenEstimate,
        token_budget: prompt.tokenBudget,
        runtime_provider: input.primaryRuntime.provider,
        model_identity: input.primaryRuntime.model,
      }),
    );
    return { promptRunId, promptHash: prompt.promptHash, messages: prompt.messages };
  };
}
