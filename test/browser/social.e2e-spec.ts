import type { Page } from 'playwright-core';
import { newContext, screenshot, seriousA11yViolations, signIn, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { api } from '../helpers/test-app.js';
import { bearer, PASSWORD, type TestOrg, type TestUser } from '../factories/factory.js';

// A 1×1 PNG: the server recognises images by their bytes.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const post = (item: Page, text: string) => item.locator('article.post').filter({ hasText: text });

describe('browser: reading and writing', () => {
  let b: BrowserApp;
  let org: TestOrg;
  let alice: TestUser;
  let bob: TestUser;
  let bobHandle: string;

  beforeAll(async () => {
    b = await startBrowserApp();
    org = await b.factory.newOrg();
    alice = await b.factory.newUser(org, { displayName: 'Alice Author' });
    bob = await b.factory.newUser(org, { displayName: 'Bob Reader' });
    bobHandle = (await api(b.http).get(`/api/v1/users/${bob.id}`).set(bearer(bob)).expect(200)).body.handle;
  });
  afterAll(async () => {
    await b.close();
  });

  it('posts with an @mention picked by keyboard and an image, shows it live elsewhere, replies, reacts, edits, deletes', async () => {
    const aliceContext = await newContext(b);
    const bobContext = await newContext(b);
    const page = await signIn(aliceContext, alice);
    const bobPage = await signIn(bobContext, bob);
    await bobPage.getByRole('heading', { name: 'Home', level: 1 }).waitFor();

    const composer = page.getByLabel('Write a post');
    await composer.click();
    await composer.pressSequentially(`Launch day with @${bobHandle.slice(0, 6)}`);
    const option = page.getByRole('option', { name: /Bob Reader/ });
    await option.waitFor();
    expect(await composer.getAttribute('aria-expanded')).toBe('true');
    // The first suggestion becomes the active one once the list has settled.
    await page.locator('[role="option"][aria-selected="true"]', { hasText: 'Bob Reader' }).waitFor();
    await composer.press('Enter');
    await composer.pressSequentially('and #rocket');
    expect(await composer.inputValue()).toBe(`Launch day with @${bobHandle} and #rocket`);

    await page.getByLabel('Attach files').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL });
    await page.getByRole('list', { name: 'Attached files' }).getByRole('img', { name: 'pixel.png' }).waitFor();
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    const mine = post(page, 'Launch day with');
    await mine.waitFor();
    await mine.getByRole('img', { name: 'pixel.png' }).waitFor();
    await mine.getByRole('link', { name: `@${bobHandle}` }).waitFor();
    expect(await composer.inputValue()).toBe('');

    // Bob's page does not move: a bar says there is something new, and shows it when asked.
    const bar = bobPage.getByRole('button', { name: '1 new post' });
    await bar.waitFor();
    expect(await post(bobPage, 'Launch day with').count()).toBe(0);
    await bar.click();
    await post(bobPage, 'Launch day with').getByRole('img', { name: 'pixel.png' }).waitFor();
    expect(await bar.count()).toBe(0);
    await screenshot(page, 'home');

    // Reply on the thread page.
    await mine.getByRole('link', { name: '0 replies' }).click();
    await page.getByRole('heading', { name: 'Thread', level: 1 }).waitFor();
    await page.getByLabel('Write a reply').fill('First reply here');
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    const reply = post(page, 'First reply here');
    await reply.waitFor();
    await page.getByRole('heading', { name: '1 reply' }).waitFor();

    // React: the button is pressed and counts one.
    const rootId = await post(page, 'Launch day with').getAttribute('data-post-id');
    const root = page.locator(`article[data-post-id="${rootId}"]`);
    const like = root.getByRole('button', { name: /^Like/ });
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await like.click();
    await root.locator('button.reaction[aria-pressed="true"]', { hasText: '1' }).waitFor();
    expect(await like.getAttribute('aria-label')).toBe('Like, 1');
    await screenshot(page, 'thread');

    // Edit: "edited" shows, and the history keeps the old text.
    await root.getByRole('button', { name: 'Edit' }).click();
    await root.getByLabel('Edit post').fill('Launch day, rescheduled');
    await root.getByRole('button', { name: 'Save' }).click();
    const edited = root;
    await edited.getByText('Launch day, rescheduled').waitFor();
    await edited.getByText('edited', { exact: true }).waitFor();
    await edited.getByRole('button', { name: 'Version history' }).click();
    const history = page.getByRole('dialog', { name: 'Version history' });
    await history.getByText(/Launch day with/).waitFor();
    await history.getByText('Launch day, rescheduled').waitFor();
    await history.getByRole('button', { name: 'Close' }).click();
    await history.waitFor({ state: 'detached' });
    // The edit reaches Bob's feed in place.
    await post(bobPage, 'Launch day, rescheduled').waitFor();

    // Delete asks first; cancelling keeps it, confirming removes it.
    await reply.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this post?' });
    // Focus moves into the dialog, onto the safe choice; Escape closes it and focus comes back.
    await confirm.getByRole('button', { name: 'Cancel' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete');
    await reply.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await reply.count()).toBe(1);
    await reply.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete post' }).click();
    await reply.waitFor({ state: 'detached' });
    expect(await page.getByText('First reply here').count()).toBe(0);

    await aliceContext.close();
    await bobContext.close();
  });

  it('shows a mention in notifications with an unread badge that clears after "Mark all as read"', async () => {
    await api(b.http).post('/api/v1/posts').set(bearer(alice)).send({ body: `Can you review this, @${bobHandle}?` }).expect(201);
    const context = await newContext(b);
    const page = await signIn(context, bob);
    const badge = page.getByTestId('unread-badge');
    await badge.waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const item = page.locator('li.notification.unread').filter({ hasText: 'Can you review this' });
    await item.getByText('mentioned you').waitFor();
    await screenshot(page, 'notifications');
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await badge.waitFor({ state: 'detached' });
    expect(await page.locator('li.notification.unread').count()).toBe(0);
    await context.close();
  });

  it('finds posts by search, and a group filter narrows them', async () => {
    const group = (await api(b.http).post('/api/v1/groups').set(bearer(alice)).send({ name: `Zebra crew ${Date.now()}`, description: 'Stripes' }).expect(201)).body;
    await api(b.http).post('/api/v1/posts').set(bearer(alice)).send({ body: 'zebrafish quarterly numbers in the company stream' }).expect(201);
    await api(b.http).post('/api/v1/posts').set(bearer(alice)).send({ body: 'zebrafish quarterly numbers for the crew', groupId: group.id }).expect(201);
    const context = await newContext(b);
    const page = await signIn(context, alice);
    await page.getByRole('searchbox', { name: 'Search posts' }).first().fill('zebrafish');
    await page.getByRole('searchbox', { name: 'Search posts' }).first().press('Enter');
    await page.getByRole('heading', { name: 'Search', level: 1 }).waitFor();
    await post(page, 'in the company stream').waitFor();
    await post(page, 'for the crew').waitFor();
    await page.getByLabel('Group').selectOption(group.id);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/groupId=/);
    await post(page, 'for the crew').waitFor();
    await post(page, 'in the company stream').waitFor({ state: 'detached' });
    await screenshot(page, 'search');

    // The group page: header, join state, composer into the group, its feed; accessible.
    await page.goto(`/groups/${group.id}`);
    await page.getByRole('heading', { name: group.name, level: 1 }).waitFor();
    await page.getByText('1 member').waitFor();
    await post(page, 'for the crew').waitFor();
    await page.getByLabel(`Write a post in ${group.name}`).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'group');
    await context.close();
  });

  it('renders hostile text inert: no script runs, no javascript: links', async () => {
    const nasty = '<script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1) [x](javascript:alert(1)) https://example.test/ok';
    const created = (await api(b.http).post('/api/v1/posts').set(bearer(alice)).send({ body: nasty }).expect(201)).body;
    const context = await newContext(b);
    const page = await signIn(context, bob);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    for (const path of ['/company', `/posts/${created.id}`]) {
      await page.goto(path);
      const card = post(page, '<script>alert(1)</script>');
      await card.waitFor();
      expect(await card.locator('.post-text').innerText()).toContain('<img src=x onerror=alert(1)>');
      expect(await card.locator('.post-text img, .post-text script').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await card.getByRole('link', { name: 'https://example.test/ok' }).getAttribute('rel')).toContain('noopener');
    }
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('passes an axe scan on home and thread, and shows the other pages', async () => {
    const created = (await api(b.http).post('/api/v1/posts').set(bearer(alice)).send({ body: 'Accessible post #a11y', announcement: false }).expect(201)).body;
    await api(b.http).post('/api/v1/posts').set(bearer(bob)).send({ body: 'Accessible reply', parentId: created.id }).expect(201);
    const context = await newContext(b);
    const page = await signIn(context, alice);
    await post(page, 'Accessible post').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`/posts/${created.id}`);
    await post(page, 'Accessible reply').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.goto('/company');
    await post(page, 'Accessible post').waitFor();
    await screenshot(page, 'company');
    await page.goto(`/users/${alice.id}`);
    await page.getByRole('heading', { name: 'Alice Author', level: 1 }).waitFor();
    await post(page, 'Accessible post').waitFor();
    await screenshot(page, 'profile');
    await page.goto('/settings');
    await page.getByLabel('Display name').waitFor();
    await page.getByLabel('New token name').fill('CI');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('it is not shown again').waitFor();
    await page.getByRole('button', { name: 'Revoke CI' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'settings');
    await context.close();
  });

  it('works at 375 px wide: no horizontal scroll, the menu button opens the navigation', async () => {
    const context = await newContext(b, { mobile: true });
    // Signed in by hand: at this width the navigation stays hidden until the menu opens.
    const page = await context.newPage();
    await page.goto(`/?org=${encodeURIComponent(alice.orgSlug)}`);
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.locator('article.post').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const companyLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Company' });
    expect(await companyLink.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await companyLink.waitFor();
    await screenshot(page, 'home-mobile');
    await companyLink.click();
    await page.getByRole('heading', { name: 'Company', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });
  it('creates a group, another member joins and leaves it, and an announcement stays pinned on top', async () => {
    const aliceContext = await newContext(b);
    const page = await signIn(aliceContext, alice);
    await page.goto('/groups');
    await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
    const name = `Launch crew ${Date.now().toString(36)}`;
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Description').fill('Everything about the launch');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    const groupUrl = new URL(page.url()).pathname;

    // An announcement, then an ordinary post: the announcement stays first, marked pinned.
    await page.getByLabel('Write a post').fill('Read this first: launch checklist');
    await page.getByLabel('Post as announcement (pinned)').check();
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.getByText('Read this first: launch checklist').waitFor();
    // The composer clears once the post is in.
    await page.waitForFunction(() => (document.querySelector('.composer textarea') as HTMLTextAreaElement | null)?.value === '');
    await page.getByLabel('Write a post').fill('An ordinary update');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.getByText('An ordinary update').waitFor();
    await page.reload();
    const posts = page.locator('article');
    await posts.first().waitFor();
    expect(await posts.first().innerText()).toContain('Pinned');
    expect(await posts.first().innerText()).toContain('Read this first');

    const bobContext = await newContext(b);
    const bobPage = await signIn(bobContext, bob);
    await bobPage.goto(groupUrl);
    await bobPage.getByRole('heading', { name, level: 1 }).waitFor();
    await bobPage.getByRole('button', { name: 'Join' }).click();
    await bobPage.getByRole('button', { name: 'Leave' }).waitFor();
    expect((await api(b.http).get(`/api/v1/groups/${groupUrl.split('/').pop()}`).set(bearer(bob)).expect(200)).body.myRole).toBe('member');
    await bobPage.getByRole('button', { name: 'Leave' }).click();
    await bobPage.getByRole('button', { name: 'Join' }).waitFor();
    expect((await api(b.http).get(`/api/v1/groups/${groupUrl.split('/').pop()}`).set(bearer(bob)).expect(200)).body.myRole).toBeNull();
    await aliceContext.close();
    await bobContext.close();
  });
});
