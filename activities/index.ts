import { createAdmitRun } from './admit';
import { createResolveAuthority } from './authority';
import { createCheckDraft } from './check-draft';
import { createGenerateContract } from './contract';
import type { ActivityDeps } from './deps';
import { createCheckDuplicates } from './duplicates';
import { createVerifyDecision } from './decision';
import { createRecordFallback } from './fallback';
import { createRecordAcceptedBreak, createRecordAdjudication, createRecordPromotion } from './governance';
import { createCallModel } from './model-call';
import { createRecordRunStatus } from './outcome';
import { createAssemblePrompt } from './prompt';
import { createRecordRunRequested } from './run-requested';
import { createFreezeSnapshot } from './snapshot';

/** Binds every lifecycle activity to its dependencies once; the workflow types its proxy from this. */
export function createActivities(deps: ActivityDeps) {
  return {
    recordRunRequested: createRecordRunRequested(deps),
    resolveAuthority: createResolveAuthority(deps),
    freezeSnapshot: createFreezeSnapshot(deps),
    admitRun: createAdmitRun(deps),
    assemblePrompt: createAssemblePrompt(deps),
    callModel: createCallModel(deps),
    recordFallback: createRecordFallback(deps),
    generateContract: createGenerateContract(deps),
    checkDuplicates: createCheckDuplicates(deps),
    checkDraft: createCheckDraft(deps),
    recordRunStatus: createRecordRunStatus(deps),
    recordAdjudication: createRecordAdjudication(deps),
    recordPromotion: createRecordPromotion(deps),
    verifyDecision: createVerifyDecision(deps),
    recordAcceptedBreak: createRecordAcceptedBreak(deps),
  };
}

export type GenerationActivities = ReturnType<typeof createActivities>;
