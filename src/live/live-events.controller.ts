import { Controller, Headers, Query, Req, Sse, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { interval, map, merge, Observable, Subject, takeUntil } from 'rxjs';
import { badRequest } from '../common/domain-error.js';
import { GroupService } from '../groups/group.service.js';
import { CurrentAuth, type AuthContext, type AuthedRequest } from '../identity/auth-context.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import { LIVE_ID, LiveEventBus } from './live-event-bus.js';
import type { LiveEvent } from './live-event.js';

const HEARTBEAT_MS = 25_000;
const MEMBERSHIP_TTL_MS = 30_000;

/**
 * Server-Sent Events: new, edited and deleted posts and reactions the user may see, from every
 * API process. Reconnecting clients send Last-Event-ID (EventSource does) and get what they missed.
 */
@ApiTags('streams')
@Controller('api/v1/events')
export class LiveEventsController implements BeforeApplicationShutdown {
  /** Emits once when the process shuts down: every open stream ends, so the HTTP server can close. */
  private readonly shuttingDown = new Subject<void>();

  constructor(
    private readonly bus: LiveEventBus,
    private readonly groups: GroupService,
    private readonly db: TenantDatabase,
  ) {}

  @Sse()
  @ApiOperation({ summary: 'Live updates (text/event-stream); resume with the Last-Event-ID header' })
  @ApiQuery({ name: 'lastEventId', required: false })
  events(
    @CurrentAuth() auth: AuthContext,
    @Req() req: AuthedRequest,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: string | undefined,
  ): Observable<MessageEvent> {
    const lastEventId = header ?? query ?? null;
    if (lastEventId !== null && !LIVE_ID.test(lastEventId)) throw badRequest('invalid_last_event_id', 'Last-Event-ID is not an event id');
    (req.res as Response | undefined)?.setHeader('X-Accel-Buffering', 'no');
    const canSee = this.visibility(auth);
    const live = new Observable<MessageEvent>((subscriber) => {
      let unsubscribe: (() => void) | null = null;
      let closed = false;
      // Deliver in order even though the visibility check may await the database.
      let chain = Promise.resolve();
      const onEvent = (e: LiveEvent) => {
        chain = chain.then(async () => {
          if (!closed && (await canSee(e))) subscriber.next({ id: e.id, type: e.type, data: toPayload(e) });
        });
      };
      void this.bus.subscribe(auth.orgId, lastEventId, onEvent).then(
        (off) => (closed ? off() : (unsubscribe = off)),
        (err: unknown) => subscriber.error(err),
      );
      return () => {
        closed = true;
        unsubscribe?.();
      };
    });
    const heartbeat = interval(HEARTBEAT_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: '' })));
    // EventSource reconnects by itself (to another API process) and resumes with Last-Event-ID.
    return merge(live, heartbeat).pipe(takeUntil(this.shuttingDown));
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown.next();
    this.shuttingDown.complete();
  }

  /** Company and public-group events go to everyone in the org; private ones to members only. */
  private visibility(auth: AuthContext): (e: LiveEvent) => Promise<boolean> {
    const cache = new Map<string, { member: boolean; until: number }>();
    return async (e) => {
      if (!e.groupId || !e.groupPrivate) return true;
      const hit = cache.get(e.groupId);
      if (hit && hit.until > Date.now()) return hit.member;
      const member = await this.db
        .withOrg(auth.orgId, (tx) => this.groups.visibleInTx(tx, auth, e.groupId!))
        .then((g) => g.myRole !== null, () => false);
      cache.set(e.groupId, { member, until: Date.now() + MEMBERSHIP_TTL_MS });
      return member;
    };
  }
}

function toPayload(e: LiveEvent) {
  return { type: e.type, postId: e.postId, parentId: e.parentId, groupId: e.groupId, actorId: e.actorId, at: e.at, post: e.post, reaction: e.reaction };
}
