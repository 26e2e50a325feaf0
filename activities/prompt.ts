import { getPromptTemplate, insertPromptRun } from '../db/repositories/prompts';
import { deterministicUuid } from '../domain/deterministic-id';
import type { GenerationRunInput, RuntimeIdentity } from '../domain/types';
import type { ActivityDeps } from './deps';
import { tokenCounterFor } from '../providers/model/tokenizer';
import { assemblePrompt, type PromptMessage } from '../domain/prompts/assemble';
import { resolveTemplatePolicy, templateContentHash } from '../domain/prompts/templates';
import { commitStepOnce } from './telemetry/record';
import { STEP_FAILURE, StepError } from '../domain/failures';
import type { Db } from '../db/database';
import { buildTelemetryEvent, evidenceLinks, type TraceContext } from '../domain/telemetry-event';

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

/**
 * Binds the frozen template version to the intent and records the redacted evidence. A retry
 * returns the prompt stored on the first commit.
 */
export function createAssemblePrompt(deps: ActivityDeps) {
  return async function assemblePromptActivity(input: AssemblePromptInput): Promise<AssembledPromptResult> {
    const { run, promptRunId, trace } = input;
    const key = { step: 'prompt', id: promptRunId, tenantId: run.tenantId, runId: run.runId };
    return commitStepOnce(deps, key, async () => {
      const template = resolveTemplatePolicy(`${input.template.id}@${input.template.version}`);
      const registered = await getPromptTemplate(deps.db, template.templateId, template.version);
      if (!registered || registered.content_hash !== templateContentHash(template)) {
        throw new StepError(
          STEP_FAILURE.templateDrift,
          `prompt template ${template.templateId}@${template.version} is not registered with this content`,
        );
      }
      // Counted with the tokenizer of the model the prompt is for (the chain's first): a real BPE for
      // OpenAI models, the documented estimate otherwise; the prompt run records which.
      const tokenizer =
        deps.models[input.primaryRuntime.provider]?.tokenizer ?? tokenCounterFor(input.primaryRuntime.model);
      const prompt = assemblePrompt(template, run.intent, {
        allowedRuntimes: input.allowedRuntimes,
        countTokens: tokenizer.count,
      });
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
            tokenCounter: tokenizer.name,
            redactions: prompt.redactions,
            budgetActions: prompt.budgetActions,
          },
        },
      );
      const write = (trx: Db) =>
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
          token_counter: tokenizer.name,
          runtime_provider: input.primaryRuntime.provider,
          model_identity: input.primaryRuntime.model,
        });
      return {
        result: { promptRunId, promptHash: prompt.promptHash, messages: prompt.messages },
        events: [event],
        write,
      };
    });
  };
}
