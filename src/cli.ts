import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { cliActor } from './common/actor.js';
import { DomainError } from './common/domain-error.js';
import { NestPinoLogger } from './common/logger.js';
import { AuditService } from './audit/audit.service.js';
import { demoSeed } from './cli/demo-seed.js';
import { RetentionSweeper } from './compliance/retention/retention-sweeper.js';
import { migrationStatus, runMigrations } from './database/data-source.js';
import { USER_ROLES, type UserRole } from './identity/auth-context.js';
import { OrgProvisioningService } from './identity/org-provisioning.service.js';
import { TokenService } from './identity/token.service.js';
import { UserService } from './identity/user.service.js';
import { InProcessJobQueue } from './jobs/in-process-job-queue.js';
import { OrgService } from './tenancy/org.service.js';
import { prepareRuntime } from './runtime.js';

const USAGE = `Chorus admin CLI: npm run cli -- <command> [options]

  migration:run                                   apply pending migrations
  migration:status                                lists applied and pending migrations; exit 1 while any is pending
  org:create --slug S --name N --admin-email E --admin-password P [--admin-name N]
  user:create --org S --email E --name N [--role member|admin|compliance] [--password P] [--handle H]
  token:create --org S --email E --name N [--expires-days D]   prints the new API token once
  user:break-glass --org S --email E [--off]      flags (or with --off unflags) a user whose password works when SSO is required
  audit:verify --org S                            checks the audit hash chain; exit 1 at the first broken link
  demo:seed                                       creates the "demo" org with users, groups and posts
  retention:sweep --org S                         runs the org's retention sweep now and prints what it purged
  export:verify <bundle.zip> [--public-key F]     checks a compliance export's hashes and signature (no database); exit 1 if not ok

Output is JSON on stdout; logs go to stderr.`;

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, ...names: string[]): void {
  const missing = names.filter((n) => typeof values[n] !== 'string' || values[n] === '');
  if (missing.length > 0) throw new UsageError(`Missing --${missing.join(', --')}`);
}

async function orgId(app: INestApplicationContext, slug: string): Promise<string> {
  const org = await app.get(OrgService).findBySlug(slug);
  if (!org) throw new UsageError(`No organisation with slug "${slug}"`);
  return org.id;
}

/** Options each command needs, checked before anything starts (a usage error costs no database). */
const REQUIRED: Record<string, string[]> = {
  'migration:run': [],
  'migration:status': [],
  'org:create': ['slug', 'name', 'admin-email', 'admin-password'],
  'user:create': ['org', 'email', 'name'],
  'token:create': ['org', 'email', 'name'],
  'user:break-glass': ['org', 'email'],
  'audit:verify': ['org'],
  'retention:sweep': ['org'],
  'demo:seed': [],
};

type Command = (app: INestApplicationContext, v: Record<string, string | undefined>, flags: { off: boolean }) => Promise<{ exitCode?: number; output: unknown }>;

const COMMANDS: Record<string, Command> = {
  'org:create': async (app, v) => {
    const { org, admin } = await app.get(OrgProvisioningService).createOrg(cliActor(), v.slug!, v.name!, {
      email: v['admin-email']!,
      displayName: v['admin-name'] ?? 'Administrator',
      password: v['admin-password']!,
    });
    return { output: { org: { id: org.id, slug: org.slug, name: org.name }, admin: { id: admin.id, email: admin.email } } };
  },
  'user:create': async (app, v) => {
    if (v.role && !USER_ROLES.includes(v.role as UserRole)) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
    if (v.password !== undefined && (v.password.length < 12 || v.password.length > 256)) throw new UsageError('--password must be 12 to 256 characters');
    const user = await app.get(UserService).create(await orgId(app, v.org!), cliActor(), {
      email: v.email!,
      displayName: v.name!,
      role: v.role as UserRole | undefined,
      password: v.password,
      handle: v.handle,
    });
    return { output: { user } };
  },
  'token:create': async (app, v) => {
    const id = await orgId(app, v.org!);
    const user = await app.get(UserService).findByEmail(id, v.email!);
    if (!user || user.status !== 'active') throw new UsageError(`No active user ${v.email} in ${v.org}`);
    const days = v['expires-days'] ? Number(v['expires-days']) : null;
    if (days !== null && !(Number.isInteger(days) && days > 0)) throw new UsageError('--expires-days must be a positive whole number');
    const created = await app.get(TokenService).create(id, cliActor(), user.id, v.name!, days ? new Date(Date.now() + days * 86_400_000) : null);
    return { output: { id: created.id, name: created.name, prefix: created.prefix, expiresAt: created.expiresAt, token: created.token } };
  },
  'user:break-glass': async (app, v, flags) => {
    const id = await orgId(app, v.org!);
    const user = await app.get(UserService).findByEmail(id, v.email!);
    if (!user) throw new UsageError(`No user ${v.email} in ${v.org}`);
    const updated = await app.get(UserService).setBreakGlass(id, cliActor(), user.id, !flags.off);
    return { output: { user: { id: updated.id, email: updated.email, role: updated.role, status: updated.status, breakGlass: updated.breakGlass } } };
  },
  'audit:verify': async (app, v) => {
    const result = await app.get(AuditService).verify(await orgId(app, v.org!));
    return { exitCode: result.ok ? 0 : 1, output: { org: v.org, ...result } };
  },
  'retention:sweep': async (app, v) => {
    const id = await orgId(app, v.org!);
    const result = await app.get(RetentionSweeper).sweep(id, 'manual', null);
    if (!result) return { exitCode: 1, output: { org: v.org, skipped: 'another sweep of this organisation is running' } };
    return { output: { org: v.org, ...result } };
  },
  'demo:seed': async (app) => ({ output: await demoSeed(app) }),
};

/** Offline: reads only the bundle and the key file, so it boots neither Nest nor the database. */
async function exportVerify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { 'public-key': { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('Usage: export:verify <bundle.zip> [--public-key file.pem]');
  const { readFile } = await import('node:fs/promises');
  const { verifyBundle } = await import('./compliance/exports/bundle/bundle-verifier.js');
  const keyFile = values['public-key'];
  const publicKeyPem = keyFile ? await readFile(keyFile, 'utf8').catch(() => Promise.reject(new UsageError(`Cannot read --public-key ${keyFile}`))) : undefined;
  const report = await verifyBundle(positionals[0], { publicKeyPem });
  process.stdout.write(`${JSON.stringify({ bundle: positionals[0], ...report }, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'export:verify') return exportVerify(rest);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...Object.fromEntries(
        ['slug', 'name', 'admin-email', 'admin-password', 'admin-name', 'org', 'email', 'role', 'password', 'handle', 'expires-days'].map((o) => [o, { type: 'string' as const }]),
      ),
      off: { type: 'boolean' as const },
    },
  });
  const { off, ...options } = values;
  if (!(command in REQUIRED)) throw new UsageError(`Unknown command "${command}"\n\n${USAGE}`);
  required(options, ...REQUIRED[command]);
  const migrationCommand = command.startsWith('migration:');
  const runtime = await prepareRuntime({ migrate: !migrationCommand, allowEmbedded: true, logLevel: 'warn', logToStderr: true });
  try {
    if (command === 'migration:run') {
      process.stdout.write(`${JSON.stringify({ applied: await runMigrations(runtime.databaseUrl) })}\n`);
      return 0;
    }
    if (command === 'migration:status') {
      // Exit 1 while migrations are pending: usable as a wait step (e.g. an init container).
      const { applied, pending } = await migrationStatus(runtime.databaseUrl);
      process.stdout.write(`${JSON.stringify({ applied: applied.length, pending })}\n`);
      return pending.length > 0 ? 1 : 0;
    }
    const run = COMMANDS[command];
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config: runtime.config, databaseUrl: runtime.databaseUrl, logger: runtime.logger, role: 'cli' }),
      { logger: new NestPinoLogger(runtime.logger) },
    );
    try {
      const { exitCode = 0, output } = await run(app, options as Record<string, string | undefined>, { off: off === true });
      if (runtime.config.singleNode) await app.get(InProcessJobQueue).drain();
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      return exitCode;
    } finally {
      await app.close();
    }
  } finally {
    await runtime.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof DomainError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const code = error instanceof DomainError ? error.code : 'usage';
      process.stderr.write(`${JSON.stringify({ error: code, message: (error as Error).message })}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
