import type { INestApplicationContext } from '@nestjs/common';
import { cliActor } from '../common/actor.js';
import { GroupService } from '../groups/group.service.js';
import type { AuthContext } from '../identity/auth-context.js';
import { OrgProvisioningService } from '../identity/org-provisioning.service.js';
import { UserService } from '../identity/user.service.js';
import { PostService } from '../posts/post.service.js';
import { OrgService } from '../tenancy/org.service.js';
import { seedDemoPosts } from './demo-posts.js';

export const DEMO = { org: 'demo', email: 'admin@demo.test', password: 'chorus-demo-password' } as const;

const PEOPLE = [
  { email: 'ada@demo.test', displayName: 'Ada Lovelace', title: 'Principal Engineer', department: 'Engineering' },
  { email: 'grace@demo.test', displayName: 'Grace Hopper', title: 'VP Engineering', department: 'Engineering' },
  { email: 'dieter@demo.test', displayName: 'Dieter Rams', title: 'Head of Design', department: 'Design' },
  { email: 'katherine@demo.test', displayName: 'Katherine Johnson', title: 'Data Scientist', department: 'Analytics' },
  { email: 'peter@demo.test', displayName: 'Peter Drucker', title: 'Chief of Staff', department: 'Leadership' },
  { email: 'carla@demo.test', displayName: 'Carla Compliance', title: 'Compliance Officer', department: 'Legal', role: 'compliance' as const },
];

const GROUPS = [
  { name: 'Engineering', description: 'Builds, incidents and demos', visibility: 'public' as const, members: [0, 1, 3] },
  { name: 'Design', description: 'Critiques and the design system', visibility: 'public' as const, members: [2, 0] },
  { name: 'Random', description: 'Lunch, pets, weekend plans', visibility: 'public' as const, members: [0, 1, 2, 3, 4, 5] },
  { name: 'Leadership', description: 'Private: planning and staffing', visibility: 'private' as const, members: [1, 4] },
];

/** A demo org with people, groups and a few hundred posts; running it again reports the existing login. */
export async function demoSeed(app: INestApplicationContext) {
  const existing = await app.get(OrgService).findBySlug(DEMO.org);
  if (existing) return { created: false, org: existing.slug, login: { org: DEMO.org, email: DEMO.email, password: DEMO.password } };
  const actor = cliActor();
  const { org, admin } = await app.get(OrgProvisioningService).createOrg(actor, DEMO.org, 'Demo Corp', {
    email: DEMO.email,
    displayName: 'Demo Admin',
    password: DEMO.password,
  });
  const users = app.get(UserService);
  const people = [];
  for (const p of PEOPLE) people.push(await users.create(org.id, actor, { ...p, password: DEMO.password }));
  const groups = app.get(GroupService);
  const authOf = (u: { id: string; role: AuthContext['role'] }): AuthContext => ({
    orgId: org.id, userId: u.id, role: u.role, method: 'session', sessionId: null, tokenId: null,
    actor: { ...actor, userId: u.id },
  });
  const memberOf = new Map<string, string[]>(people.map((p) => [p.id, []]));
  for (const g of GROUPS) {
    const owner = people[g.members[0]];
    const group = await groups.create(authOf(owner), g);
    for (const i of g.members.slice(1)) await groups.addMember(authOf(owner), group.id, people[i].id, 'member');
    for (const i of g.members) memberOf.get(people[i].id)!.push(group.id);
  }
  const content = await seedDemoPosts(
    app.get(PostService),
    people.map((p) => ({ auth: authOf(p), handle: p.handle, groupIds: memberOf.get(p.id)! })),
  );
  return {
    created: true,
    org: org.slug,
    adminId: admin.id,
    users: people.length + 1,
    groups: GROUPS.length,
    ...content,
    login: { org: DEMO.org, email: DEMO.email, password: DEMO.password },
    note: 'Every demo user (ada@, grace@, dieter@, katherine@, peter@, carla@demo.test) has the same password.',
  };
}
