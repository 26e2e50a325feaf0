import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalCliPath, temporalTestServerPath } from '../../lib/tools';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { TEST_DATA_CONVERTER } from './security';

/**
 * A real Temporal dev server (the CLI's, installed by scripts/setup.sh), with the project's search
 * attributes registered. Where the binary isn't installed the SDK downloads it (machines with
 * internet access).
 */
let runtimeInstalled = false;

/** Keep the SDK's own logs to warnings, so test output shows what matters. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export async function startTemporalDevServer(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const path = temporalCliPath();
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: TEST_DATA_CONVERTER },
    server: {
      executable: path ? { type: 'existing-path', path } : undefined,
      searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
      log: { format: 'pretty', level: 'error' },
    },
  });
}

/** The Java time-skipping test server, for tests about deadlines. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const path = temporalTestServerPath();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    client: { dataConverter: TEST_DATA_CONVERTER },
    server: { executable: path ? { type: 'existing-path', path } : undefined },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}
