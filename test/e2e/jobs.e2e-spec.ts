import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from '../../src/app.module.js';
import { AppConfig } from '../../src/config/app-config.js';
import { createLogger } from '../../src/common/logger.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { BullJobQueue } from '../../src/jobs/bull-job-queue.js';
import { JobName } from '../../src/jobs/job.types.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestOrg } from '../factories/factory.js';

async function staleCredentials(t: TestApp, org: TestOrg): Promise<void> {
  await t.factory.login(org.admin);
  await t.factory.login(org.admin);
  await t.superuser.query(`UPDATE user_session SET expires_at = now() - interval '2 days' WHERE org_id = $1`, [org.id]);
  await t.superuser.query(`UPDATE api_token SET revoked_at = now() - interval '31 days' WHERE org_id = $1`, [org.id]);
}

async function liveCounts(t: TestApp, orgId: string) {
  const r = await t.superuser.query(
    `SELECT (SELECT count(*) FROM user_session WHERE org_id = $1)::int AS sessions,
            (SELECT count(*) FROM api_token WHERE org_id = $1)::int AS tokens`,
    [orgId],
  );
  return r.rows[0] as { sessions: number; tokens: number };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('background jobs on BullMQ (REDIS_URL set): the API enqueues, a worker runs them', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  beforeAll(async () => {
    t = await startTestApp();
    const config = AppConfig.fromEnvironment();
    worker = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config, databaseUrl: config.env.DATABASE_URL!, logger: createLogger('silent'), role: 'worker' }),
      { logger: false },
    );
  });
  afterAll(async () => {
    await worker.close();
    await t.close();
  });

  it('purges expired sessions and long-revoked tokens of every org through the fan-out job', async () => {
    const org = await t.factory.newOrg();
    await staleCredentials(t, org);
    expect(await liveCounts(t, org.id)).toEqual({ sessions: 2, tokens: 1 });
    await t.app.get(JobQueue).enqueue(JobName.ScheduleCredentialPurge, { scope: 'all-orgs' });
    await eventually(async () => (await liveCounts(t, org.id)).sessions === 0);
    expect(await liveCounts(t, org.id)).toEqual({ sessions: 0, tokens: 0 });
  });

  it('the API process hands jobs to BullMQ instead of running them', () => {
    expect(t.app.get(JobQueue)).toBeInstanceOf(BullJobQueue);
  });
});

describe('single-node mode (no REDIS_URL): the same handlers run in-process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: '' });
  });
  afterAll(() => t.close());

  it('runs the purge job without Redis and keeps login throttling working in memory', async () => {
    const queue = t.app.get(JobQueue);
    expect(queue).toBeInstanceOf(InProcessJobQueue);
    const org = await t.factory.newOrg();
    await staleCredentials(t, org);
    await queue.enqueue(JobName.PurgeExpiredCredentials, { orgId: org.id });
    await (queue as InProcessJobQueue).drain();
    expect(await liveCounts(t, org.id)).toEqual({ sessions: 0, tokens: 0 });

    const attempt = () => api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: org.admin.email, password: 'wrong-password' });
    for (let i = 0; i < 5; i++) await attempt().expect(401);
    await attempt().expect(429);
  });
});
