import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { dataConverterFor } from '../../lib/payload-codec';
import { TEST_SECURITY_ENV } from '../helpers/stack';

/**
 * Histories are kept per released workflow version (`histories/v1/…`, `histories/v2/…`) and never
 * re-recorded: each one is a run that may still be in flight on that version, and the current code
 * must replay it without non-determinism. A new version adds a folder; old folders stay.
 */
const dir = path.join(__dirname, 'histories');
/** Histories recorded since payloads are encrypted carry the test key's ciphertext. */
const dataConverter = dataConverterFor({
  id: TEST_SECURITY_ENV.TEMPORAL_PAYLOAD_CODEC_KEY_ID!,
  key: Buffer.from(TEST_SECURITY_ENV.TEMPORAL_PAYLOAD_CODEC_KEY!, 'base64'),
});
const versions = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const files = versions.flatMap((v) =>
  readdirSync(path.join(dir, v))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${v}/${f}`),
);

describe('recorded generation-run histories', () => {
  it('keeps the histories of every released version, including runs waiting for people', () => {
    // v3: local-db-steps; v4: merged-intake (intake in one admitRun, contract and duplicates in one
    // checkDraft), denied run included; v5: cancel-recovers-trace-only (a run cancelled in intake).
    expect(versions).toEqual(expect.arrayContaining(['v1', 'v2', 'v3', 'v4', 'v5']));
    expect(existsSync(path.join(dir, 'v5', 'cancelled-in-intake.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'v4', 'denied.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'v1', 'promoted-to-active.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('/awaiting-adjudication.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('/mid-review.json'))).toBe(true);
  });

  it.each(files)('replays %s through the current workflow code without non-determinism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows'), dataConverter }, history, file);
  });
});
