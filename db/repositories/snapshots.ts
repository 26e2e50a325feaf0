import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../database';
import type { ExecutionSnapshotsTable } from '../tables/execution-snapshots';

export type SnapshotRow = Selectable<ExecutionSnapshotsTable>;

export async function insertSnapshot(db: Db, row: Insertable<ExecutionSnapshotsTable>): Promise<void> {
  await db
    .insertInto('execution_snapshots')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function getSnapshot(db: Db, tenantId: string, snapshotId: string): Promise<SnapshotRow | undefined> {
  return db
    .selectFrom('execution_snapshots')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', snapshotId)
    .executeTakeFirst();
}
