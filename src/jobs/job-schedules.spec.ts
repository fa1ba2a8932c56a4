import { JOB_SCHEDULES, JobName, msUntilUtc } from './job.types.js';

describe('job schedules', () => {
  it('runs the retention sweep at a time of day, not at every deploy', () => {
    const sweep = JOB_SCHEDULES.find((s) => s.name === JobName.ScheduleRetentionSweeps)!;
    expect(sweep).toMatchObject({ dailyAt: 'RETENTION_SWEEP_AT_UTC' });
    expect('everyMs' in sweep).toBe(false);
  });

  it('counts the wait to the next HH:MM in UTC, tomorrow once today’s has passed', () => {
    const now = new Date('2026-11-23T02:00:00.000Z');
    expect(msUntilUtc('03:15', now)).toBe(75 * 60_000);
    expect(msUntilUtc('01:00', now)).toBe(23 * 3600_000);
    expect(msUntilUtc('02:00', now)).toBe(24 * 3600_000);
  });
});
