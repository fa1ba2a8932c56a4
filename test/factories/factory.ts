import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { cliActor } from '../../src/common/actor.js';
import type { UserRole } from '../../src/identity/auth-context.js';
import { OrgProvisioningService } from '../../src/identity/org-provisioning.service.js';
import { TokenService } from '../../src/identity/token.service.js';
import { UserService, type UserView } from '../../src/identity/user.service.js';

export const PASSWORD = 'test-password-123';

export interface TestOrg {
  id: string;
  slug: string;
  admin: TestUser;
}

export interface TestUser {
  id: string;
  orgId: string;
  orgSlug: string;
  email: string;
  role: UserRole;
  token: string;
}

/** A signed-in browser: the session cookie plus the CSRF token to echo on writes. */
export interface Browser {
  cookie: string;
  csrf: string;
}

const unique = () => randomUUID().slice(0, 8);

/** Test data in one line, through the real services; unique values so tests never collide. */
export class Factory {
  constructor(
    private readonly app: INestApplication,
    private readonly http: Server,
  ) {}

  async newOrg(): Promise<TestOrg> {
    const slug = `org-${unique()}`;
    const { org, admin } = await this.app.get(OrgProvisioningService).createOrg(cliActor(), slug, `Org ${slug}`, {
      email: `admin@${slug}.test`,
      displayName: 'Admin',
      password: PASSWORD,
    });
    const adminUser = await this.withToken(org.id, slug, admin);
    return { id: org.id, slug, admin: adminUser };
  }

  async newUser(org: TestOrg, opts: { role?: UserRole; displayName?: string; email?: string } = {}): Promise<TestUser> {
    const email = opts.email ?? `user-${unique()}@${org.slug}.test`;
    const user = await this.app.get(UserService).create(org.id, cliActor(), {
      email,
      displayName: opts.displayName ?? `User ${email}`,
      role: opts.role ?? 'member',
      password: PASSWORD,
    });
    return this.withToken(org.id, org.slug, user);
  }

  async login(user: Pick<TestUser, 'orgSlug' | 'email'>, password = PASSWORD): Promise<Browser> {
    const res = await request(this.http).post('/api/v1/auth/login').send({ org: user.orgSlug, email: user.email, password }).expect(200);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith('chorus_session='))!;
    return { cookie: session.split(';')[0], csrf: res.body.csrfToken as string };
  }

  private async withToken(orgId: string, orgSlug: string, user: UserView): Promise<TestUser> {
    const token = await this.app.get(TokenService).create(orgId, cliActor(), user.id, 'test', null);
    return { id: user.id, orgId, orgSlug, email: user.email, role: user.role, token: token.token };
  }
}

export const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
