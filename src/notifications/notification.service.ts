import { Injectable } from '@nestjs/common';
import { decodeCursor, toPage, type Page } from '../common/cursor.js';
import type { AuthContext } from '../identity/auth-context.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import { NotificationRepository, type NotificationRow } from './notification.repository.js';

export type NotificationView = Omit<NotificationRow, 'cursorKey'>;

/** In-app notifications: mentions, replies to my posts, reactions to my posts. */
@Injectable()
export class NotificationService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly db: TenantDatabase,
  ) {}

  /** Called by the posts module inside the transaction that wrote the post or reaction. */
  async mentioned(tx: OrgTx, postId: string, actorId: string, userIds: string[]): Promise<void> {
    await this.notifications.insert(tx, userIds, 'mention', postId, actorId, null);
  }

  async replied(tx: OrgTx, replyId: string, actorId: string, rootAuthorId: string): Promise<void> {
    await this.notifications.insert(tx, [rootAuthorId], 'reply', replyId, actorId, null);
  }

  async reacted(tx: OrgTx, postId: string, actorId: string, authorId: string, kind: string): Promise<void> {
    await this.notifications.insert(tx, [authorId], 'reaction', postId, actorId, kind);
  }

  async list(auth: AuthContext, unreadOnly: boolean, limit: number, cursor?: string): Promise<Page<NotificationView>> {
    const key = decodeCursor(cursor, 2);
    const rows = await this.db.withOrg(auth.orgId, (tx) =>
      this.notifications.list(tx, auth.userId, unreadOnly, key ? [String(key[0]), String(key[1])] : null, limit + 1),
    );
    return toPage(rows, limit, (n) => [n.cursorKey, n.id], ({ cursorKey: _k, ...n }) => n);
  }

  async unreadCount(auth: AuthContext): Promise<number> {
    return this.db.withOrg(auth.orgId, (tx) => this.notifications.unreadCount(tx, auth.userId));
  }

  async markRead(auth: AuthContext, ids: string[] | null): Promise<number> {
    return this.db.withOrg(auth.orgId, (tx) => this.notifications.markRead(tx, auth.userId, ids));
  }
}
