import { screenshot, seriousA11yViolations, signIn, newContext, startBrowserApp, type BrowserApp } from '../helpers/browser.js';

describe('browser: signing in', () => {
  let b: BrowserApp;
  beforeAll(async () => {
    b = await startBrowserApp();
  });
  afterAll(async () => {
    await b.close();
  });

  it('shows the sign-in page at any address, refuses a wrong password, then signs in with the local form', async () => {
    const org = await b.factory.newOrg();
    const user = await b.factory.newUser(org, { displayName: 'Sam Sign' });
    const context = await newContext(b);
    const page = await context.newPage();
    await page.goto(`/groups?org=${org.slug}`);
    await page.getByRole('heading', { name: 'Sign in to Chorus' }).waitFor();
    await page.getByText(`Org ${org.slug}`).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong' }).waitFor();

    await page.getByLabel('Password').fill('test-password-123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    // The address asked for is kept.
    expect(new URL(page.url()).pathname).toBe('/groups');
    await page.getByRole('link', { name: 'Sam Sign' }).waitFor();
    await context.close();
  });

  it('offers "Sign in with your company" when the org has SSO, and signs out', async () => {
    const org = await b.factory.newOrg();
    const context = await newContext(b);
    const page = await signIn(context, org.admin);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Chorus' }).waitFor();
    await b.superuser.query(`INSERT INTO oidc_config (org_id, enabled, issuer_url, client_id) VALUES ($1, true, 'https://idp.example.test', 'chorus')`, [org.id]);
    await page.getByLabel('Organisation').fill(org.slug);
    const sso = page.getByRole('link', { name: 'Sign in with your company' });
    await sso.waitFor();
    expect(await sso.getAttribute('href')).toBe(`/auth/oidc/${org.slug}/login?returnTo=%2F`);
    await context.close();
  });
});
