import { spawnSync } from 'node:child_process';

/**
 * `npm run deploy:check`: the Kubernetes manifests render with kustomize and every object validates;
 * docker-compose.yml passes `docker-compose config`.
 */
describe('deploy manifests', () => {
  it('render (base and production overlay) and validate against the Kubernetes schemas and our rules; Compose validates', () => {
    const run = spawnSync(process.execPath, ['deploy/check.mjs'], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) throw new Error(`deploy:check failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    expect(run.stdout).toMatch(/\d+ objects in 2 kustomizations: \d+ passed, 0 failed/);
    expect(run.stdout).toMatch(/deploy\/docker-compose\.yml\n {2}ok {3}docker/);
  }, 130_000);
});
