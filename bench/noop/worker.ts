import { NativeConnection, Worker } from '@temporalio/worker';
import { loadOperationsConfig } from '../../lib/operations-config';
import { activityPollerBehavior } from '../../worker';
import * as activities from './activities';

/**
 * The reference's worker, a process of its own like ours (`worker.ts`): same Temporal server, same
 * sizing (lib/operations-config.ts: cache, slots) and the same Node flags, its own task queue and
 * workflow bundle (prebuilt by the bench, as ours is). Stops on SIGTERM.
 */
async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.NOOP_TASK_QUEUE ?? 'bench-noop-reference-v1';
  const bundlePath = process.env.NOOP_BUNDLE_PATH;
  const sizing = loadOperationsConfig().worker;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('./workflows') }),
    activities,
    // BENCH_NOOP_SDK_DEFAULTS=true: the SDK's own sizing instead (an experiment knob, not the reference).
    ...(process.env.BENCH_NOOP_SDK_DEFAULTS === 'true'
      ? {}
      : {
          ...sizing,
          activityTaskPollerBehavior: activityPollerBehavior(sizing.maxConcurrentActivityTaskExecutions),
        }),
  });
  process.stderr.write(`noop worker started on ${taskQueue}\n`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`noop worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
