import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { signToken } from '../lib/tokens';

/**
 * `npm run -s token -- --tenant T --role R [--role R2] [--subject S] [--expires 12h]`
 * prints a bearer token signed (HS256) with the configured JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE.
 * For the public development secret: `AI_GENERATION_ENVIRONMENT=development ALLOW_DEV_JWT_SECRET=true`.
 */

const USAGE = `usage: npm run -s token -- --tenant <tenant> --role <role> [--role <role> ...] [--subject <subject>] [--expires <period>]

  --tenant   tenant the token is scoped to (required)
  --role     a role to grant, e.g. capability-author, capability-reviewer, admin (required, repeatable)
  --subject  who the caller is (default: dev-user)
  --expires  lifetime, e.g. 30m, 12h, 7d (default: 12h)`;

class UsageError extends Error {}

function parse(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: 'string' },
        role: { type: 'string', multiple: true },
        subject: { type: 'string', default: 'dev-user' },
        expires: { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return null;
  const tenantId = values.tenant?.trim();
  const roles = (values.role ?? []).map((r) => r.trim()).filter((r) => r.length > 0);
  const subject = values.subject.trim();
  if (!tenantId) throw new UsageError('--tenant is required');
  if (roles.length === 0) throw new UsageError('at least one --role is required');
  if (!subject) throw new UsageError('--subject must not be empty');
  // jose's own period syntax, checked here so a typo is a usage error rather than a stack trace.
  if (
    !/^\d+(\.\d+)?\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks|y|yr|yrs|year|years)$/i.test(
      values.expires,
    )
  ) {
    throw new UsageError(`--expires "${values.expires}" is not a period like 30m, 12h or 7d`);
  }
  return { principal: { tenantId, roles, subject }, expiresIn: values.expires };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  if (!config.jwtSecret) {
    throw new Error('no JWT_SECRET configured (JWKS only): tokens come from your identity provider');
  }
  const token = await signToken(args.principal, {
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.security.jwtAudience,
    expiresIn: args.expiresIn,
  });
  console.log(token);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`token: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
