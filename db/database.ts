import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type {
  AiGenerationContractDraftsTable,
  AiGenerationContractPromotionsTable,
  AiGenerationContractValidationsTable,
  AiGenerationPromotionEvidenceTable,
} from './tables/ai-generation-contracts';
import type {
  AiGenerationDuplicateChecksTable,
  AiGenerationDuplicateMatchesTable,
} from './tables/ai-generation-duplicates';
import type { AiGenerationPromptArtifactsTable } from './tables/ai-generation-prompt-artifacts';
import type { AiGenerationPromptRunsTable } from './tables/ai-generation-prompt-runs';
import type { AiGenerationRunsTable } from './tables/ai-generation-runs';
import type { CapabilitiesTable, CapabilityDuplicateFeaturesTable } from './tables/capabilities';
import type { ConfigurationAuditTable, ConfigurationValuesTable } from './tables/configuration-audit';
import type { ExecutionSnapshotsTable } from './tables/execution-snapshots';
import type { AiGenerationDuplicateAdjudicationsTable, GovernanceDecisionsTable } from './tables/governance-decisions';
import type { PromptTemplatesTable } from './tables/prompt-templates';
import type { AiGenerationRunStartsTable } from './tables/run-starts';
import type { AiGenerationStepResultsTable } from './tables/step-results';
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
  ai_generation_promotion_evidence: AiGenerationPromotionEvidenceTable;
  ai_generation_duplicate_adjudications: AiGenerationDuplicateAdjudicationsTable;
  ai_generation_duplicate_checks: AiGenerationDuplicateChecksTable;
  ai_generation_duplicate_matches: AiGenerationDuplicateMatchesTable;
  capabilities: CapabilitiesTable;
  telemetry_events: TelemetryEventsTable;
  ai_generation_step_results: AiGenerationStepResultsTable;
  ai_generation_run_starts: AiGenerationRunStartsTable;
  capability_duplicate_features: CapabilityDuplicateFeaturesTable;
  configuration_audit: ConfigurationAuditTable;
  configuration_values: ConfigurationValuesTable;
}

export type Db = Kysely<Database>;

export interface PoolOptions {
  /** How long a query waits for a connection (a new one or a free one) before it fails; pg's default is forever. */
  connectionTimeoutMillis?: number;
  /** An idle connection is closed after this long, so a restarted server's dead sockets don't linger. */
  idleTimeoutMillis?: number;
  /**
   * Told about errors on idle connections (the server restarted or cut them). Without a listener
   * `pg` re-emits them as an unhandled 'error' event and Node exits; with one the pool drops the
   * broken connection and the next query opens a fresh one.
   */
  onError?: (err: Error) => void;
}

export const DEFAULT_POOL_OPTIONS = { connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 } as const;

export function createPool(connectionString: string, maxConnections = 10, opts: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: maxConnections,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? DEFAULT_POOL_OPTIONS.connectionTimeoutMillis,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? DEFAULT_POOL_OPTIONS.idleTimeoutMillis,
    keepAlive: true,
  });
  const onError =
    opts.onError ??
    ((err: Error) => console.warn(`[db] idle connection failed (dropped; the pool reconnects): ${err.message}`));
  pool.on('error', onError);
  return pool;
}

/** Every pool of the service is made here, so every one has its error listener and timeouts. */
export function createDb(connectionString: string, maxConnections = 10, opts: PoolOptions = {}): Db {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(connectionString, maxConnections, opts) }),
  });
}
