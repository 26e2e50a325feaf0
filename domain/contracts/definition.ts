import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';

/**
 * The definition a reviewer approves and the catalog activates: what callers and the runtime
 * depend on. Lifecycle bookkeeping (the manifest's `lifecycleState`) and provenance are left
 * out, so the same definition hashes the same in Draft, Approved and Active.
 */
export interface ContractDefinition {
  capabilityKey: string;
  version: string;
  manifest: Record<string, unknown>;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
  runtimeConstraints: unknown;
  scaffold: unknown;
}

export function contractDefinition(d: ContractDefinition): ContractDefinition {
  const { lifecycleState: _ignored, ...manifest } = d.manifest;
  return {
    capabilityKey: d.capabilityKey,
    version: d.version,
    manifest,
    inputSchema: d.inputSchema,
    outputSchema: d.outputSchema,
    runtimeConstraints: d.runtimeConstraints ?? null,
    scaffold: d.scaffold ?? null,
  };
}

/** `sha256:<hex>` of the definition in RFC 8785 (JSON Canonicalization Scheme) form. */
export function definitionHash(d: ContractDefinition): string {
  const canonical = canonicalize(contractDefinition(d));
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
