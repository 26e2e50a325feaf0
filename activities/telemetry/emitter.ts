/** The emitter lives in `lib/` (the API emits what it records too); activities import it from here. */
export * from '../../lib/telemetry-emitter';
