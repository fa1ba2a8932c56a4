import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { ExportRunner } from '../../src/compliance/exports/export-runner.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';
import { newContext, screenshot, seriousA11yViolations, signIn, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { api } from '../helpers/test-app.js';

/** Waits until `check` holds, polling (playwright-core has no expect). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** No page-level horizontal scrolling (wide tables scroll inside .table-wrap). */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * Signs in and waits for the signed-in frame: the shared helper's wait (`main#main`) also matches
 * the sign-in page, so it can return before the session cookie is set.
 */
async function signInAs(context: BrowserContext, user: TestUser): Promise<Page> {
  const page = await signIn(context, user);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** Every "Loading…" on the page has gone. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('main p[role="status"][aria-live]'));
}

async function openPage(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('browser: admin and compliance pages', () => {
  let b: BrowserApp;
  let exportDir: string;
  beforeAll(async () => {
    exportDir = await mkdtemp(join(tmpdir(), 'chorus-admin-e2e-'));
    b = await startBrowserApp({ SECRETS_KEY: randomBytes(32).toString('hex'), EXPORT_DIR: exportDir, POSTING_DOMAIN: 'chorus.test' });
  });
  afterAll(async () => {
    await b.close();
    await rm(exportDir, { recursive: true, force: true });
  });

  /** `count` company-stream posts by `author`, `daysAgo` old. */
  async function insertPosts(org: TestOrg, author: TestUser, count: number, daysAgo = 0): Promise<void> {
    await b.superuser.query(
      `INSERT INTO post (org_id, author_id, body, created_at)
       SELECT $1, $2, 'post ' || i, now() - make_interval(days => $4::int) FROM generate_series(1, $3::int) i`,
      [org.id, author.id, count, daysAgo],
    );
  }

  it('lets an admin create a user, change their role and deactivate them; the last admin is refused', async () => {
    const org = await b.factory.newOrg();
    const context = await newContext(b);
    const page = await signInAs(context, org.admin);
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();

    const email = `casey-${randomBytes(3).toString('hex')}@${org.slug}.test`;
    await page.getByLabel('Display name').fill('Casey Create');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Initial password (optional)').fill('a-long-password-123');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: 'Created Casey Create' }).waitFor();
    const row = page.getByRole('row', { name: /Casey Create/ });
    await row.waitFor();

    await page.getByLabel('Role of Casey Create').selectOption('compliance');
    const created = (await api(b.http).get(`/api/v1/users?q=Casey`).set(bearer(org.admin)).expect(200)).body.items[0];
    await until(
      async () => (await api(b.http).get(`/api/v1/users/${created.id}`).set(bearer(org.admin))).body.role === 'compliance',
      'the role change to be saved',
    );

    await row.getByRole('button', { name: 'Deactivate Casey Create' }).click();
    await row.getByRole('button', { name: 'Yes, deactivate' }).click();
    await row.getByText('Deactivated', { exact: true }).waitFor();
    expect((await api(b.http).get(`/api/v1/users/${created.id}`).set(bearer(org.admin))).body.status).toBe('deactivated');

    // The org must keep an active admin: deactivating myself is refused, and said so.
    const mine = page.getByRole('row', { name: /\(you\)/ });
    await mine.getByRole('button', { name: 'Deactivate Admin' }).click();
    await mine.getByRole('button', { name: 'Yes, deactivate' }).click();
    await mine.getByRole('alert').waitFor();

    // Search narrows the table.
    await page.getByLabel('Name or email').fill('Casey');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await until(async () => (await page.getByRole('row', { name: /\(you\)/ }).count()) === 0, 'the search to narrow the list');
    await row.waitFor();

    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-users');
    await context.close();
  });

  it('shows the other admin pages (groups, org, SSO, SCIM, Slack, email) and works at 375 px', async () => {
    const org = await b.factory.newOrg();
    await api(b.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: 'Field Sales', description: 'Deals', visibility: 'public' }).expect(201);
    await api(b.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: 'Board', visibility: 'private' }).expect(201);
    const context = await newContext(b);
    const page = await signInAs(context, org.admin);

    await openPage(page, '/admin/groups', 'Groups');
    const sales = page.getByRole('row', { name: /Field Sales/ });
    await sales.getByRole('button', { name: 'Archive Field Sales' }).click();
    await sales.getByRole('button', { name: 'Yes, archive' }).click();
    await sales.getByText('Archived', { exact: true }).waitFor();
    await page.getByLabel('Visibility of Board').selectOption('public');
    // Posting addresses, and a secret address shown once.
    const board = page.getByRole('row', { name: /Board/ });
    await board.getByText('Email address of Board').click();
    await board.getByText(`board@${org.slug}.chorus.test`).waitFor();
    await board.getByRole('button', { name: 'Make a secret address for Board' }).click();
    const secret = board.getByRole('status').filter({ hasText: 'shown only this once' });
    await secret.waitFor();
    expect(await secret.locator('code').innerText()).toMatch(new RegExp(`^board\\+[a-z2-7]{32}@${org.slug}\\.chorus\\.test$`));
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-groups');

    await openPage(page, '/admin/org', 'Organisation');
    await page.getByLabel('Organisation name').fill('Renamed Org');
    await page.getByRole('button', { name: 'Save organisation' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await api(b.http).get('/api/v1/org').set(bearer(org.admin))).body.name).toBe('Renamed Org');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-org');

    await openPage(page, '/admin/sso', 'Single sign-on');
    const metadataLink = page.getByRole('link', { name: `/auth/saml/${org.slug}/metadata` });
    await metadataLink.waitFor();
    expect(await metadataLink.getAttribute('href')).toContain(`/auth/saml/${org.slug}/metadata`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-sso');

    await openPage(page, '/admin/scim', 'SCIM tokens');
    await page.getByLabel('Token name').fill('Okta');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'shown only this once' });
    await shown.waitFor();
    expect(await shown.locator('code').innerText()).toMatch(/^scim_/);
    await page.getByRole('row', { name: /Okta/ }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-scim');

    await openPage(page, '/admin/slack', 'Slack');
    expect(await page.getByRole('link', { name: 'Add to Slack' }).getAttribute('href')).toBe('/integrations/slack/oauth/start');
    await page.getByText('No Slack workspace is connected').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-slack');

    await openPage(page, '/admin/email', 'Email');
    await page.getByRole('link', { name: 'Settings' }).last().waitFor();
    await page.getByRole('heading', { name: 'Secret addresses' }).waitFor();
    await page.getByRole('heading', { name: 'Posting by email' }).waitFor();
    await page.getByText(`company@${org.slug}.chorus.test`).waitFor();
    await page.getByRole('cell', { name: `board@${org.slug}.chorus.test` }).waitFor();
    await settled(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-email');

    // The same session in a phone-sized window.
    const phone = await newContext(b, { mobile: true });
    await phone.addCookies(await context.cookies());
    const small = await phone.newPage();
    for (const [path, heading] of [
      ['/admin/users', 'Users'],
      ['/admin/groups', 'Groups'],
      ['/admin/sso', 'Single sign-on'],
      ['/audit', 'Audit log'],
    ] as const) {
      await openPage(small, path, heading);
      await settled(small);
      expect({ path, fits: await fitsWidth(small) }).toEqual({ path, fits: true });
    }
    await screenshot(small, 'admin-users-375');
    await phone.close();
    await context.close();
  });

  it('lets a compliance officer place a legal hold, export with a live progress bar, download the ZIP, and find both in the audit log', async () => {
    const org = await b.factory.newOrg();
    const officer = await b.factory.newUser(org, { role: 'compliance', displayName: 'Olive Officer' });
    // Enough posts, in small batches, that the bar is seen between 0 and 100 (typically 3-4 steps).
    await insertPosts(org, org.admin, 3000);
    b.app.get(ExportRunner).batchSize = 10;
    const context = await newContext(b);
    const page = await signInAs(context, officer);

    // Place a hold on the admin's posts.
    await page.getByRole('link', { name: 'Legal holds' }).click();
    await page.getByRole('heading', { level: 1, name: 'Legal holds' }).waitFor();
    await page.getByLabel('Matter').fill('Acme v. Chorus');
    await page.getByLabel('Description (optional)').fill('Keep everything the admin wrote');
    await page.getByLabel('Custodians').selectOption({ label: `Admin (${org.admin.email})` });
    await page.getByRole('button', { name: 'Place hold' }).click();
    await page.getByRole('status').filter({ hasText: 'Hold "Acme v. Chorus" placed.' }).waitFor();
    const holdRow = page.getByRole('row', { name: /Acme v\. Chorus/ });
    await holdRow.getByRole('cell', { name: '3000', exact: true }).waitFor();
    await holdRow.getByRole('button', { name: 'Acme v. Chorus' }).click();
    await page.getByTestId('held-posts').filter({ hasText: '3000' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'compliance-holds');

    // Request an export of today's posts and watch it.
    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('From').fill(today);
    await page.getByLabel('To (inclusive)').fill(today);
    await page.getByLabel('Legal hold').selectOption({ label: 'Acme v. Chorus' });
    await page.getByRole('button', { name: 'Request export' }).click();
    const bar = page.getByRole('progressbar', { name: 'Export progress' });
    await bar.waitFor();
    const seen: number[] = [];
    await until(async () => {
      const value = Number(await bar.getAttribute('value'));
      if (seen.at(-1) !== value) seen.push(value);
      return value === 100;
    }, 'the export progress bar to reach 100', 30_000);
    expect(seen.at(-1)).toBe(100);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    const download = page.getByRole('link', { name: 'Download' });
    await download.waitFor();
    const href = await download.getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/compliance\/exports\/[0-9a-f-]+\/download$/);
    const zip = await page.request.get(href!);
    expect(zip.status()).toBe(200);
    expect(zip.headers()['content-type']).toBe('application/zip');
    expect((await zip.body()).subarray(0, 2).toString()).toBe('PK');

    const key = (await api(b.http).get('/api/v1/compliance/export-key').set(bearer(officer)).expect(200)).body;
    expect(await page.getByTestId('export-key-fingerprint').innerText()).toBe(key.fingerprint);
    const exp = (await api(b.http).get('/api/v1/compliance/exports').set(bearer(officer)).expect(200)).body.items[0];
    await page.getByText(exp.sha256).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'compliance-exports');

    // The audit log has both, and the action filter narrows it (kept in the address).
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'hold.created' }).waitFor();
    await page.getByRole('cell', { name: 'export.requested' }).waitFor();
    await page.getByLabel('Action').fill('hold.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await until(async () => (await page.getByRole('cell', { name: 'export.requested' }).count()) === 0, 'the filter to hide export events');
    await page.getByRole('cell', { name: 'hold.created' }).waitFor();
    expect(new URL(page.url()).searchParams.get('action')).toBe('hold.created');
    await page.getByText(/^Details of event/).first().click();
    await page.getByText('"matter": "Acme v. Chorus"', { exact: false }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'audit-log');

    // The filtered address works on its own.
    await page.reload();
    await page.getByRole('cell', { name: 'hold.created' }).waitFor();
    expect(await page.getByLabel('Action').inputValue()).toBe('hold.created');
    await context.close();
  });

  it('shows retention preview counts, updates them after a policy change, and runs a sweep', async () => {
    const org = await b.factory.newOrg();
    const officer = await b.factory.newUser(org, { role: 'compliance' });
    const member = await b.factory.newUser(org);
    await insertPosts(org, member, 5, 400);
    await insertPosts(org, org.admin, 3, 400);
    await api(b.http).post('/api/v1/compliance/holds').set(bearer(officer)).send({ matter: 'Keep the admin', custodianIds: [org.admin.id] }).expect(201);
    const context = await newContext(b);
    const page = await signInAs(context, officer);
    await page.getByRole('link', { name: 'Retention' }).click();
    await page.getByRole('heading', { level: 1, name: 'Retention' }).waitFor();
    const preview = page.getByRole('table', { name: 'Retention preview' });
    const company = preview.getByRole('row', { name: /Company stream/ });
    await company.waitFor();
    const cells = async () => (await company.getByRole('cell').allInnerTexts()).slice(1);
    expect(await cells()).toEqual(['0', '0', '0', '0']);

    await page.getByLabel('Keep posts for (days)').fill('365');
    await page.getByRole('button', { name: 'Save default' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await until(async () => JSON.stringify(await cells()) === JSON.stringify(['5', '0', '3', '0']), 'the preview to count 5 due and 3 held');
    expect(await preview.locator('tfoot').getByRole('cell').allInnerTexts()).toEqual(['', '5', '0', '3', '0']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'compliance-retention');

    await page.getByRole('button', { name: 'Run sweep now' }).click();
    await page.getByRole('button', { name: 'Yes, run the sweep' }).click();
    const sweeps = page.getByRole('table', { name: 'Recent sweeps' });
    await sweeps.getByRole('row', { name: /completed/ }).waitFor({ timeout: 20_000 });
    await until(async () => (await cells())[0] === '0', 'the preview to show nothing due after the sweep');
    expect((await sweeps.getByRole('row', { name: /completed/ }).getByRole('cell').allInnerTexts()).slice(2, 5)).toEqual(['5', '0', '3']);
    await screenshot(page, 'compliance-retention-swept');
    await context.close();
  });
});
