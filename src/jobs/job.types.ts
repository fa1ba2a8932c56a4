/** Queues and jobs are enums; retry and dedupe policy lives in JOB_POLICY below. */
export enum QueueName {
  Maintenance = 'maintenance',
}

export enum JobName {
  /** Fan-out: enqueues one PurgeExpiredCredentials per org. */
  ScheduleCredentialPurge = 'schedule-credential-purge',
  PurgeExpiredCredentials = 'purge-expired-credentials',
}

/** Data each job carries. Org-scoped jobs always carry `orgId`; fan-out jobs name their scope. */
export interface JobData {
  [JobName.ScheduleCredentialPurge]: { scope: 'all-orgs' };
  [JobName.PurgeExpiredCredentials]: { orgId: string };
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
};

/** Repeatable jobs: the worker (or the single-node runner) registers these at start. */
export const JOB_SCHEDULES: { id: string; name: JobName; everyMs: number; data: JobData[JobName] }[] = [
  { id: 'credential-purge', name: JobName.ScheduleCredentialPurge, everyMs: 60 * 60 * 1000, data: { scope: 'all-orgs' } },
];

export type JobHandler<N extends JobName> = (data: JobData[N]) => Promise<void>;
