import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type {
  AiGenerationContractDraftsTable,
  AiGenerationContractPromotionsTable,
  AiGenerationContractValidationsTable,
} from './tables/ai-generation-contracts';
import type {
  AiGenerationDuplicateChecksTable,
  AiGenerationDuplicateMatchesTable,
} from './tables/ai-generation-duplicates';
import type { AiGenerationPromptArtifactsTable } from './tables/ai-generation-prompt-artifacts';
import type { AiGenerationPromptRunsTable } from './tables/ai-generation-prompt-runs';
import type { AiGenerationRunsTable } from './tables/ai-generation-runs';
import type { CapabilitiesTable } from './tables/capabilities';
import type { ConfigurationAuditTable } from './tables/configuration-audit';
import type { ExecutionSnapshotsTable } from './tables/execution-snapshots';
import type { GovernanceDecisionsTable } from './tables/governance-decisions';
import type { PromptTemplatesTable } from './tables/prompt-templates';
import type { TelemetryEventsTable } from './tables/telemetry-events';

export interface Database {
  ai_generation_runs: AiGenerationRunsTable;
  governance_decisions: GovernanceDecisionsTable;
  execution_snapshots: ExecutionSnapshotsTable;
  prompt_templates: PromptTemplatesTable;
  ai_generation_prompt_runs: AiGenerationPromptRunsTable;
  ai_generation_prompt_artifacts: AiGenerationPromptArtifactsTable;
  ai_generation_contract_drafts: AiGenerationContractDraftsTable;
  ai_generation_contract_validations: AiGenerationContractValidationsTable;
  ai_generation_contract_promotions: AiGenerationContractPromotionsTable;
  ai_generation_duplicate_checks: AiGenerationDuplicateChecksTable;
  ai_generation_duplicate_matches: AiGenerationDuplicateMatchesTable;
  capabilities: CapabilitiesTable;
  telemetry_events: TelemetryEventsTable;
  configuration_audit: ConfigurationAuditTable;
}

export type Db = Kysely<Database>;

export function createDb(connectionString: string, maxConnections = 10): Db {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new Pool({ connectionString, max: maxConnections }) }),
  });
}
