import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Starts the OpenTelemetry SDK when an exporter is configured through the standard OTEL_*
 * variables (e.g. OTEL_TRACES_EXPORTER=otlp with OTEL_EXPORTER_OTLP_ENDPOINT, or `console`).
 * Without one, the API calls stay no-ops and the telemetry ledger in PostgreSQL is the record.
 */
export function startOpenTelemetry(serviceName: string): { shutdown: () => Promise<void> } {
  const configured = [
    'OTEL_TRACES_EXPORTER',
    'OTEL_METRICS_EXPORTER',
    'OTEL_LOGS_EXPORTER',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
  ].some((k) => process.env[k] && process.env[k] !== 'none');
  if (!configured) return { shutdown: async () => undefined };
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  const sdk = new NodeSDK();
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
