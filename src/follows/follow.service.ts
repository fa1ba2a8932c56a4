import { Injectable } from '@nestjs/common';
import { badRequest } from '../common/domain-error.js';
import type { AuthContext } from '../identity/auth-context.js';
import { UserService } from '../identity/user.service.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import { FollowRepository } from './follow.repository.js';

/** Following people: their posts join my home stream. Idempotent both ways. */
@Injectable()
export class FollowService {
  constructor(
    private readonly follows: FollowRepository,
    private readonly users: UserService,
    private readonly db: TenantDatabase,
  ) {}

  async follow(auth: AuthContext, userId: string): Promise<void> {
    if (userId === auth.userId) throw badRequest('cannot_follow_self', 'You cannot follow yourself');
    await this.db.withOrg(auth.orgId, async (tx) => {
      await this.users.requireExists(tx, userId);
      await this.follows.follow(tx, auth.userId, userId);
    });
  }

  async unfollow(auth: AuthContext, userId: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      await this.users.requireExists(tx, userId);
      await this.follows.unfollow(tx, auth.userId, userId);
    });
  }

  async status(auth: AuthContext, userId: string): Promise<{ following: boolean; followers: number; followees: number }> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      await this.users.requireExists(tx, userId);
      return this.follows.status(tx, auth.userId, userId);
    });
  }
}
