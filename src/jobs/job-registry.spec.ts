import { JobRegistry } from './job-registry.js';
import { JobName } from './job.types.js';

describe('JobRegistry', () => {
  const noop = async () => undefined;

  it('refuses to boot while a job name has no handler', () => {
    const registry = new JobRegistry();
    registry.register(JobName.PurgeExpiredCredentials, noop);
    expect(() => registry.onApplicationBootstrap()).toThrow(/schedule-credential-purge/);
  });

  it('refuses a second handler for the same job', () => {
    const registry = new JobRegistry();
    registry.register(JobName.PurgeExpiredCredentials, noop);
    expect(() => registry.register(JobName.PurgeExpiredCredentials, noop)).toThrow(/two handlers/);
  });

  it('dispatches to the registered handler and rejects unknown job names', async () => {
    const registry = new JobRegistry();
    const seen: unknown[] = [];
    registry.register(JobName.PurgeExpiredCredentials, async (data) => {
      seen.push(data);
    });
    for (const name of Object.values(JobName)) if (name !== JobName.PurgeExpiredCredentials) registry.register(name, noop);
    registry.onApplicationBootstrap();
    await registry.dispatch(JobName.PurgeExpiredCredentials, { orgId: 'o1' });
    expect(seen).toEqual([{ orgId: 'o1' }]);
    await expect(registry.dispatch('no-such-job', {})).rejects.toThrow(/Unknown job/);
  });
});
