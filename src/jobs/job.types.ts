/** Queues and jobs are enums; retry and dedupe policy lives in JOB_POLICY below. */
export enum QueueName {
  Maintenance = 'maintenance',
  /** Long-running compliance work (retention sweeps, exports): its own workers and stall policy. */
  Compliance = 'compliance',
}

export enum JobName {
  /** Fan-out: enqueues one PurgeExpiredCredentials per org. */
  ScheduleCredentialPurge = 'schedule-credential-purge',
  PurgeExpiredCredentials = 'purge-expired-credentials',
  /** Fan-out: enqueues one RetentionSweep per org (daily). */
  ScheduleRetentionSweeps = 'schedule-retention-sweeps',
  RetentionSweep = 'retention-sweep',
  RunExport = 'run-export',
  /** Fan-out: enqueues one ExpireExports per org (hourly). */
  ScheduleExportExpiry = 'schedule-export-expiry',
  ExpireExports = 'expire-exports',
  /** A stored Slack delivery (event, command, interaction) becomes posts, edits or deletes. */
  SlackProcessInbox = 'slack-process-inbox',
  /** A new post in a linked group is posted into its Slack channel(s). */
  SlackMirrorPost = 'slack-mirror-post',
  /** Every few minutes: re-enqueues stored Slack deliveries whose job was lost. */
  SlackRequeueInbox = 'slack-requeue-inbox',
  /** A stored inbound email (SMTP or provider webhook) is parsed and posted. */
  EmailProcessInbound = 'email-process-inbound',
  /** The mentions and replies of a new post become notification emails (per preferences) in the outbox. */
  EmailNotify = 'email-notify',
  /** One outbox email is sent through SMTP_URL. */
  EmailSend = 'email-send',
  /** Fan-out (daily): enqueues one EmailDigest per org. */
  ScheduleEmailDigests = 'schedule-email-digests',
  /** The daily digest emails of one org's users who asked for them. */
  EmailDigest = 'email-digest',
  /** Every few minutes: re-enqueues email work whose job was lost, and clears old outbox rows. */
  EmailRequeue = 'email-requeue',
}

/** Data each job carries. Org-scoped jobs always carry `orgId`; fan-out jobs name their scope. */
export interface JobData {
  [JobName.ScheduleCredentialPurge]: { scope: 'all-orgs' };
  [JobName.PurgeExpiredCredentials]: { orgId: string };
  [JobName.ScheduleRetentionSweeps]: { scope: 'all-orgs' };
  [JobName.RetentionSweep]: { orgId: string; trigger: 'schedule' | 'manual'; requestedBy: string | null };
  [JobName.RunExport]: { orgId: string; exportId: string };
  [JobName.ScheduleExportExpiry]: { scope: 'all-orgs' };
  [JobName.ExpireExports]: { orgId: string };
  [JobName.SlackProcessInbox]: { orgId: string; inboxId: string };
  [JobName.SlackMirrorPost]: { orgId: string; postId: string; installationId: string; channelId: string };
  [JobName.SlackRequeueInbox]: { scope: 'all-orgs' };
  [JobName.EmailProcessInbound]: { orgId: string; inboundId: string };
  [JobName.EmailNotify]: { orgId: string; postId: string };
  [JobName.EmailSend]: { orgId: string; outboxId: string };
  [JobName.ScheduleEmailDigests]: { scope: 'all-orgs' };
  /** `day` is the UTC date (YYYY-MM-DD) the digest is for, so a retry never sends a second one. */
  [JobName.EmailDigest]: { orgId: string; day: string };
  [JobName.EmailRequeue]: { scope: 'all-orgs' };
}

export interface JobPolicy {
  queue: QueueName;
  attempts: number;
  backoffMs: number;
  /** Jobs with the same key collapse into one while one is waiting. */
  dedupeKey?: (data: never) => string;
}

export const JOB_POLICY: { [N in JobName]: Omit<JobPolicy, 'dedupeKey'> & { dedupeKey?: (data: JobData[N]) => string } } = {
  [JobName.ScheduleCredentialPurge]: { queue: QueueName.Maintenance, attempts: 3, backoffMs: 5_000 },
  [JobName.PurgeExpiredCredentials]: {
    queue: QueueName.Maintenance,
    attempts: 5,
    backoffMs: 10_000,
    dedupeKey: (d) => `purge-credentials:${d.orgId}`,
  },
  [JobName.ScheduleRetentionSweeps]: { queue: QueueName.Compliance, attempts: 3, backoffMs: 60_000 },
  [JobName.RetentionSweep]: {
    queue: QueueName.Compliance,
    attempts: 5,
    backoffMs: 30_000,
    dedupeKey: (d) => `retention-sweep:${d.orgId}`,
  },
  [JobName.RunExport]: {
    queue: QueueName.Compliance,
    attempts: 3,
    backoffMs: 10_000,
    dedupeKey: (d) => `export:${d.exportId}`,
  },
  [JobName.ScheduleExportExpiry]: { queue: QueueName.Compliance, attempts: 3, backoffMs: 60_000 },
  [JobName.ExpireExports]: {
    queue: QueueName.Compliance,
    attempts: 3,
    backoffMs: 60_000,
    dedupeKey: (d) => `expire-exports:${d.orgId}`,
  },
  [JobName.SlackProcessInbox]: {
    queue: QueueName.Maintenance,
    attempts: 8,
    backoffMs: 2_000,
    dedupeKey: (d) => `slack-inbox:${d.inboxId}`,
  },
  [JobName.SlackMirrorPost]: {
    queue: QueueName.Maintenance,
    attempts: 8,
    backoffMs: 5_000,
    dedupeKey: (d) => `slack-mirror:${d.postId}:${d.installationId}:${d.channelId}`,
  },
  [JobName.SlackRequeueInbox]: { queue: QueueName.Maintenance, attempts: 1, backoffMs: 60_000, dedupeKey: () => 'slack-requeue-inbox' },
  [JobName.EmailProcessInbound]: {
    queue: QueueName.Maintenance,
    attempts: 6,
    backoffMs: 5_000,
    dedupeKey: (d) => `email-inbound:${d.inboundId}`,
  },
  [JobName.EmailNotify]: { queue: QueueName.Maintenance, attempts: 6, backoffMs: 5_000, dedupeKey: (d) => `email-notify:${d.postId}` },
  [JobName.EmailSend]: { queue: QueueName.Maintenance, attempts: 8, backoffMs: 10_000, dedupeKey: (d) => `email-send:${d.outboxId}` },
  [JobName.ScheduleEmailDigests]: { queue: QueueName.Maintenance, attempts: 3, backoffMs: 60_000 },
  [JobName.EmailDigest]: { queue: QueueName.Maintenance, attempts: 3, backoffMs: 60_000, dedupeKey: (d) => `email-digest:${d.orgId}:${d.day}` },
  [JobName.EmailRequeue]: { queue: QueueName.Maintenance, attempts: 1, backoffMs: 60_000, dedupeKey: () => 'email-requeue' },
};

/**
 * Repeatable jobs: the worker (or the single-node runner) registers these at start. `everyMs`
 * runs at once and then at that interval; `dailyAt` names the setting holding the UTC time of day
 * (so deploying does not start a sweep of every org).
 */
export type JobSchedule = { id: string; name: JobName; data: JobData[JobName] } & ({ everyMs: number } | { dailyAt: 'RETENTION_SWEEP_AT_UTC' | 'EMAIL_DIGEST_AT_UTC' });

export const JOB_SCHEDULES: JobSchedule[] = [
  { id: 'credential-purge', name: JobName.ScheduleCredentialPurge, everyMs: 60 * 60 * 1000, data: { scope: 'all-orgs' } },
  { id: 'retention-sweep', name: JobName.ScheduleRetentionSweeps, dailyAt: 'RETENTION_SWEEP_AT_UTC', data: { scope: 'all-orgs' } },
  { id: 'export-expiry', name: JobName.ScheduleExportExpiry, everyMs: 60 * 60 * 1000, data: { scope: 'all-orgs' } },
  { id: 'slack-requeue-inbox', name: JobName.SlackRequeueInbox, everyMs: 5 * 60 * 1000, data: { scope: 'all-orgs' } },
  { id: 'email-requeue', name: JobName.EmailRequeue, everyMs: 5 * 60 * 1000, data: { scope: 'all-orgs' } },
  { id: 'email-digests', name: JobName.ScheduleEmailDigests, dailyAt: 'EMAIL_DIGEST_AT_UTC', data: { scope: 'all-orgs' } },
];

/** Milliseconds from `now` to the next `HH:MM` UTC (a full day when it is exactly now). */
export function msUntilUtc(hhmm: string, now = new Date()): number {
  const [h, m] = hhmm.split(':').map(Number);
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m);
  const ms = next - now.getTime();
  return ms > 0 ? ms : ms + 24 * 60 * 60 * 1000;
}

export type JobHandler<N extends JobName> = (data: JobData[N]) => Promise<void>;
