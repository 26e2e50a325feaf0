import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';

const ROOT = path.resolve(__dirname, '..', '..');
export const DYNAMIC_CONFIG_FILE = path.join(ROOT, 'temporal-config', 'dynamicconfig.yaml');
/** gRPC status code ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

/** The CLI spells search attribute types in PascalCase: KEYWORD_LIST → KeywordList. */
function cliTypeName(type: string): string {
  return type
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * `temporal-config/dynamicconfig.yaml` as `--dynamic-config-value KEY=JSON` flags: the dev server
 * takes values, not a file. Only the subset of Temporal's format we use: `key:` then one
 * `- value: <JSON scalar>` without constraints; anything else is an error, not a silent skip.
 */
export function dynamicConfigFlags(file = DYNAMIC_CONFIG_FILE): string[] {
  const flags: string[] = [];
  let key: string | null = null;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trimEnd();
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      const keyMatch = /^([A-Za-z][\w.]*):$/.exec(line);
      const valueMatch = /^\s+-\s+value:\s*(.+)$/.exec(line);
      if (keyMatch?.[1]) {
        key = keyMatch[1];
      } else if (valueMatch?.[1] && key) {
        JSON.parse(valueMatch[1]); // the flag wants JSON; fail here with the line number otherwise
        flags.push('--dynamic-config-value', `${key}=${valueMatch[1]}`);
        key = null;
      } else {
        throw new Error(`${file}:${i + 1}: unsupported line for the dev server: "${line}"`);
      }
    });
  return flags;
}

export function devServerArgs(opts: { port: number; uiPort: number; namespace: string; dbFile: string }): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace,
    ...SEARCH_ATTRIBUTE_KEYS.flatMap((k) => ['--search-attribute', `${k.name}=${cliTypeName(k.type)}`]),
    ...dynamicConfigFlags(),
  ];
}

/**
 * Registers the custom search attributes that are missing on a server we did not start (or did,
 * with an older database file). Idempotent; a name registered with another type is an error.
 */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const existing = customAttributes ?? {};
    const missing: Record<string, number> = {};
    for (const key of SEARCH_ATTRIBUTE_KEYS) {
      const wanted = encodeSearchAttributeIndexedValueType(key.type);
      if (wanted === undefined) throw new Error(`unknown search attribute type ${key.type}`);
      const have = existing[key.name];
      if (have === undefined) missing[key.name] = wanted;
      else if (have !== wanted) {
        throw new Error(
          `search attribute ${key.name} exists on ${address} with another type (${have}); want ${key.type}`,
        );
      }
    }
    if (Object.keys(missing).length > 0) {
      try {
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
      } catch (err) {
        if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err; // another process won the race
      }
    }
    return Object.keys(missing);
  } finally {
    await connection.close();
  }
}
