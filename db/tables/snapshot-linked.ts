/** Columns every evidence row carries: the trace back to its run, snapshot and governance decision. */
export interface SnapshotLinkedColumns {
  id: string;
  tenant_id: string;
  correlation_id: string;
  run_id: string;
  execution_snapshot_id: string;
  governance_decision_id: string;
}
