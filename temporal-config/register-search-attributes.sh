#!/usr/bin/env bash
# Registers the custom search attributes the generation workflow sets (workflows/search-attributes.ts)
# on the Temporal server at $TEMPORAL_ADDRESS, namespace $TEMPORAL_NAMESPACE.
#
# For a server that was not started with them: a Temporal cluster, Temporal Cloud (add
# --api-key/--tls through the CLI's own TEMPORAL_* environment), or an older dev database.
# `npm run dev` and docker compose register them themselves.
#
# Idempotent: `temporal operator search-attribute create` succeeds when the attribute already
# exists with the same type, and fails (loudly) when it exists with another type.
#
# Usage: TEMPORAL_ADDRESS=host:7233 [TEMPORAL_NAMESPACE=default] [TEMPORAL_CLI=/path/to/temporal] \
#          temporal-config/register-search-attributes.sh
set -euo pipefail

ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"

# The five Keyword attributes of workflows/search-attributes.ts; keep the two lists in step.
ATTRIBUTES=(TenantId CapabilityKey GenerationStatus DuplicateOutcome CorrelationId)

cli="${TEMPORAL_CLI:-}"
if [ -z "$cli" ]; then
  repo_cli="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/bin/temporal"
  if command -v temporal >/dev/null; then
    cli=temporal
  elif [ -x "$repo_cli" ]; then
    cli="$repo_cli"
  else
    echo "register-search-attributes: no Temporal CLI: put temporal on PATH, set TEMPORAL_CLI, or run npm run setup" >&2
    exit 1
  fi
fi

echo "Registering search attributes on $ADDRESS (namespace $NAMESPACE)"
for name in "${ATTRIBUTES[@]}"; do
  if ! "$cli" operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
    --name "$name" --type Keyword >/dev/null; then
    echo "register-search-attributes: could not register $name as Keyword on $ADDRESS (see the error above)" >&2
    exit 1
  fi
  echo "  $name: Keyword"
done
