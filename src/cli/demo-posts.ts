import type { AuthContext } from '../identity/auth-context.js';
import type { PostService } from '../posts/post.service.js';
import { REACTION_KINDS } from '../posts/post.repository.js';

const OPENERS = [
  'Shipped {thing} to production today. Huge thanks to @{handle} for the reviews! #{tag}',
  'Reminder: {event} is on Thursday. Bring questions. #{tag}',
  'Does anyone have notes from {event}? I missed the second half.',
  'Customer feedback on {thing} has been great so far: "finally, it just works". #{tag} #customers',
  'Looking for a volunteer to pair on {thing} next week. @{handle} maybe?',
  'Postmortem for the {thing} incident is up. Short version: a config flag, a cache and bad timing. #{tag}',
  'Welcome to the team, @{handle}! Say hi when you see them in the kitchen.',
  'Weekly wins: {thing} is 30% faster and {event} had record attendance. #wins',
  'Quick poll: should {event} move to the afternoon? Reply below.',
  'Design review for {thing} moved to Friday; the mockups are in the usual folder. #{tag}',
];
const REPLIES = [
  'Great work!',
  'Thanks for sharing, this is really useful.',
  '+1, count me in.',
  'Can we talk about this in the next sync?',
  'Afternoon works better for me.',
  'I have notes, sending them over. @{handle}',
  'Congrats to everyone involved!',
  'Is there a recording?',
];
const THINGS = ['the new search', 'SSO', 'the billing page', 'dark mode', 'the mobile app', 'the data pipeline', 'onboarding', 'the API docs'];
const EVENTS = ['the all-hands', 'the design critique', 'the security training', 'demo day', 'the planning offsite', 'the book club'];
const TAGS = ['launch', 'engineering', 'design', 'security', 'product', 'culture', 'ops'];

/** A small seeded PRNG so every demo:seed produces the same demo. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoAuthor {
  auth: AuthContext;
  handle: string;
  groupIds: string[];
}

/** A few hundred posts, replies and reactions by the demo people, in the company stream and their groups. */
export async function seedDemoPosts(posts: PostService, authors: DemoAuthor[], roots = 120): Promise<{ posts: number; replies: number; reactions: number }> {
  const random = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const fill = (template: string, self: DemoAuthor) =>
    template
      .replace('{thing}', pick(THINGS))
      .replace('{event}', pick(EVENTS))
      .replace('{tag}', pick(TAGS))
      .replace('{handle}', pick(authors.filter((a) => a !== self)).handle);
  let replies = 0;
  let reactions = 0;
  for (let i = 0; i < roots; i++) {
    const author = pick(authors);
    const groupId = author.groupIds.length > 0 && random() < 0.5 ? pick(author.groupIds) : undefined;
    const root = await posts.create(author.auth, { body: fill(pick(OPENERS), author), groupId });
    for (let r = Math.floor(random() * 4); r > 0; r--) {
      const replier = pick(authors.filter((a) => !groupId || a.groupIds.includes(groupId)));
      await posts.create(replier.auth, { body: fill(pick(REPLIES), replier), parentId: root.id });
      replies++;
    }
    for (const reactor of authors) {
      if (random() < 0.35 && (!groupId || reactor.groupIds.includes(groupId))) {
        await posts.react(reactor.auth, root.id, pick(REACTION_KINDS), true);
        reactions++;
      }
    }
  }
  return { posts: roots, replies, reactions };
}
