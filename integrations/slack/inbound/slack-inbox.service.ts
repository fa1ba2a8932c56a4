import { Injectable } from '@nestjs/common';
import { verifySlackRequest } from '@slack/bolt';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../../src/config/app-config.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { SlackInstallations } from '../slack.types.js';
import { SlackError, SlackErrorCode } from '../slack-error.js';
import { SlackInboxRepository, type SlackDeliveryKind } from './slack-inbox.repository.js';

export interface SlackRequestHeaders {
  signature: string | undefined;
  timestamp: string | undefined;
}

/** What Slack gets back: nothing (200), a challenge, or an ephemeral text for a command. */
export type SlackAnswer = undefined | { challenge: string } | { response_type: 'ephemeral'; text: string };

export const NOT_CONNECTED_MESSAGE = 'This Slack workspace is not connected to Chorus. Ask a Chorus admin to connect it.';

/**
 * The front door of Slack deliveries: verify the v0 signature over the exact bytes (with the
 * workspace's own signing secret or the app's), then store the delivery in slack_inbox, unique
 * per team and delivery key, and commit before answering 200. Slack's retries and repeated
 * event ids hit the unique key and are answered 200 without a second row. Processing happens in
 * the SlackProcessInbox job.
 */
@Injectable()
export class SlackInboxService {
  constructor(
    private readonly config: AppConfig,
    private readonly installations: SlackInstallations,
    private readonly inbox: SlackInboxRepository,
    private readonly jobs: JobQueue,
    private readonly db: TenantDatabase,
  ) {}

  async receive(kind: SlackDeliveryKind, raw: Buffer, headers: SlackRequestHeaders): Promise<SlackAnswer> {
    if (!headers.signature || !headers.timestamp) throw invalidSignature();
    const text = raw.toString('utf8');
    const body = parseBody(kind, text);
    const teamId = body ? teamOf(kind, body) : null;
    const installation = teamId ? await this.installations.forTeam(teamId) : null;
    this.verify(installation?.signingSecret ?? this.config.env.SLACK_SIGNING_SECRET, text, headers);
    if (!body) throw new SlackError(SlackErrorCode.PayloadInvalid, 'The request body is not a Slack payload');

    if (kind === 'event' && body.type === 'url_verification') return { challenge: String(body.challenge ?? '') };
    if (!installation || !teamId) {
      return kind === 'command' ? { response_type: 'ephemeral', text: NOT_CONNECTED_MESSAGE } : undefined;
    }
    if (kind === 'event' && body.type !== 'event_callback') return undefined;
    const deliveryKey = deliveryKeyOf(kind, body, text);
    const { orgId, installationId } = installation;
    const inserted = await this.db.withOrg(orgId, (tx) => this.inbox.insert(tx, { installationId, teamId, deliveryKey, kind, payload: body }));
    // A repeat whose first delivery was stored but never processed (say the queue was down) gets its job now.
    const inboxId = inserted ?? (await this.db.withOrg(orgId, (tx) => this.inbox.pendingIdOf(tx, teamId, deliveryKey)));
    if (inboxId) await this.jobs.enqueue(JobName.SlackProcessInbox, { orgId, inboxId });
    return undefined;
  }

  private verify(signingSecret: string | undefined, body: string, headers: SlackRequestHeaders): void {
    if (!signingSecret) throw new SlackError(SlackErrorCode.NotConfigured, 'Slack requests cannot be verified: no signing secret is configured');
    try {
      verifySlackRequest({
        signingSecret,
        body,
        headers: { 'x-slack-signature': headers.signature!, 'x-slack-request-timestamp': Number(headers.timestamp) },
      });
    } catch {
      throw invalidSignature();
    }
  }
}

const invalidSignature = () =>
  new SlackError(SlackErrorCode.SignatureInvalid, 'The Slack request signature is missing, invalid or older than five minutes');

/** Events are JSON; commands a form; interactivity a form whose `payload` field is JSON. Null if unreadable. */
function parseBody(kind: SlackDeliveryKind, text: string): Record<string, unknown> | null {
  try {
    if (kind === 'command') return Object.fromEntries(new URLSearchParams(text));
    const json = kind === 'event' ? text : new URLSearchParams(text).get('payload');
    const parsed: unknown = json ? JSON.parse(json) : null;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function teamOf(kind: SlackDeliveryKind, body: Record<string, unknown>): string | null {
  const team = kind === 'interaction' ? (body.team as { id?: unknown } | undefined)?.id : body.team_id;
  return typeof team === 'string' && team !== '' ? team : null;
}

/** Events carry an event id; a command or interaction is identified by its trigger id, else by its bytes. */
function deliveryKeyOf(kind: SlackDeliveryKind, body: Record<string, unknown>, text: string): string {
  if (kind === 'event' && typeof body.event_id === 'string') return `event:${body.event_id}`;
  if (typeof body.trigger_id === 'string') return `${kind}:${body.trigger_id}`;
  return `${kind}:sha256:${createHash('sha256').update(text).digest('hex')}`;
}
