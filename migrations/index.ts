import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-23T0000_initial-schema';
import * as catalogVersionsEmbeddings from './2026-11-24T0100_catalog-versions-embeddings';
import * as catalogUnembeddedIndex from './2026-11-24T0101_catalog-unembedded-index';
import * as evolvingCapabilities from './2026-11-24T0200_evolving-capabilities';
import * as reviewInbox from './2026-11-24T0201_review-inbox';
import * as observability from './2026-11-24T0500_observability';
import * as modelRuntimeEvidence from './2026-11-24T0501_model-runtime-evidence';
import * as stepResults from './2026-11-24T0300_step-results';
import * as idempotencyKeys from './2026-11-24T0400_idempotency-keys';
import * as runStarts from './2026-11-24T0600_run-starts';
import * as duplicateFeatures from './2026-11-24T0601_duplicate-features';
import * as hnswEfConstruction from './2026-11-24T0602_hnsw-ef-construction';

/** Every migration, in order, listed explicitly (no directory scanning: the bundle is the truth). */
export const migrations: Record<string, Migration> = {
  '2026-11-23T0000_initial-schema': initialSchema,
  '2026-11-24T0100_catalog-versions-embeddings': catalogVersionsEmbeddings,
  '2026-11-24T0101_catalog-unembedded-index': catalogUnembeddedIndex,
  '2026-11-24T0200_evolving-capabilities': evolvingCapabilities,
  '2026-11-24T0201_review-inbox': reviewInbox,
  '2026-11-24T0500_observability': observability,
  '2026-11-24T0501_model-runtime-evidence': modelRuntimeEvidence,
  '2026-11-24T0300_step-results': stepResults,
  '2026-11-24T0400_idempotency-keys': idempotencyKeys,
  '2026-11-24T0600_run-starts': runStarts,
  '2026-11-24T0601_duplicate-features': duplicateFeatures,
  '2026-11-24T0602_hnsw-ef-construction': hnswEfConstruction,
};
