import { dataConverterFor } from '../../lib/payload-codec';

/**
 * The payload codec key every test stack runs with (production refuses to start without one), so
 * Temporal payloads in tests are encrypted as in production; `TEST_DATA_CONVERTER` lets the test
 * environment's own client (`env.client`) read them too.
 */
export const TEST_CODEC_KEY = { id: 'test-k1', key: Buffer.alloc(32, 42) };
export const TEST_DATA_CONVERTER = dataConverterFor(TEST_CODEC_KEY);
