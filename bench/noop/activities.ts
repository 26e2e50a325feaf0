/** The reference's step: does nothing, so all it costs is Temporal's round trip for an activity. */
export async function noopStep(step: number): Promise<number> {
  return step;
}
