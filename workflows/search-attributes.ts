import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make runs findable in the Temporal Web UI, e.g.
 * `TenantId = "acme" AND GenerationStatus = "BLOCKED"`. Registered by `npm run dev`, the tests and
 * `temporal-config/register-search-attributes.sh`.
 */
export const TenantIdKey = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const CapabilityKeyKey = defineSearchAttributeKey('CapabilityKey', SearchAttributeType.KEYWORD);
export const GenerationStatusKey = defineSearchAttributeKey('GenerationStatus', SearchAttributeType.KEYWORD);
export const DuplicateOutcomeKey = defineSearchAttributeKey('DuplicateOutcome', SearchAttributeType.KEYWORD);
export const CorrelationIdKey = defineSearchAttributeKey('CorrelationId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [
  TenantIdKey,
  CapabilityKeyKey,
  GenerationStatusKey,
  DuplicateOutcomeKey,
  CorrelationIdKey,
] as const;
