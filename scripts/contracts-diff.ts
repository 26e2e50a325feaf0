import { readFileSync } from 'node:fs';
import { diffContracts, type ContractSchemas } from '../domain/contracts/compatibility';

/**
 * `npm run -s contracts:diff -- OLD.json NEW.json`
 *
 * Both files hold `{"inputSchema": {...}, "outputSchema": {...}}`. Prints only
 * `{"breaking": bool, "findings": [...]}` and exits 0 whether or not the change is breaking;
 * exits 2 with a message on stderr when the arguments or the files are not usable.
 */

const USAGE = 'usage: npm run -s contracts:diff -- OLD.json NEW.json';

class InputError extends Error {}

function load(path: string, label: string): ContractSchemas {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${label} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${label} file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${label} file ${path} must hold a JSON object with "inputSchema" and "outputSchema"`);
  }
  const doc = value as Record<string, unknown>;
  for (const key of ['inputSchema', 'outputSchema'] as const) {
    if (!(key in doc)) throw new InputError(`${label} file ${path} has no "${key}"`);
    const schema = doc[key];
    const ok = typeof schema === 'boolean' || (schema !== null && typeof schema === 'object' && !Array.isArray(schema));
    if (!ok) throw new InputError(`${label} file ${path}: "${key}" must be a JSON Schema object`);
  }
  const asSchema = (s: unknown): Record<string, unknown> =>
    s === true ? {} : s === false ? { not: {} } : (s as Record<string, unknown>);
  return { inputSchema: asSchema(doc.inputSchema), outputSchema: asSchema(doc.outputSchema) };
}

function main(argv: string[]): number {
  const args = argv.filter((a) => a !== '--');
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length !== 2) {
    process.stderr.write(`contracts:diff: expected two files, got ${args.length}\n${USAGE}\n`);
    return 2;
  }
  try {
    const previous = load(args[0]!, 'OLD');
    const next = load(args[1]!, 'NEW');
    const report = diffContracts(previous, next);
    process.stdout.write(`${JSON.stringify({ breaking: report.breaking, findings: report.findings })}\n`);
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`contracts:diff: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
