// npm run deploy:check: renders every kustomization offline with `kubectl kustomize`, validates each
// object against the Kubernetes schemas (kubernetes-models), rejects fields the schemas do not know,
// and applies our own rules (resources, probes, non-root, pinned images). Exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';

const deployDir = dirname(fileURLToPath(import.meta.url));
const TARGETS = [
  { dir: 'kubernetes/base', production: false },
  { dir: 'kubernetes/overlays/production', production: true },
];
const MODELS = {
  'v1/Namespace': core.Namespace,
  'v1/ServiceAccount': core.ServiceAccount,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Secret': core.Secret,
  'v1/Service': core.Service,
  'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
  'apps/v1/Deployment': apps.Deployment,
  'batch/v1/Job': batch.Job,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
};
const MODEL_FILES = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'policy/v1': 'kubernetes-models/policy/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
};

const declarations = new Map(); // .d.ts file → its parsed interface, for unknownFields()

const parseAllDocuments = await loadYamlParser();
const workTree = renderableCopy();
process.on('exit', () => rmSync(workTree, { recursive: true, force: true }));
let failures = 0;
let objects = 0;
for (const target of TARGETS) {
  console.log(`\n${target.dir}`);
  for (const doc of parseAllDocuments(kustomize(join(workTree, target.dir)))) {
    if (doc == null) continue;
    objects++;
    const problems = check(doc, target);
    failures += problems.length > 0 ? 1 : 0;
    const id = `${doc.apiVersion}/${doc.kind} ${doc.metadata?.name ?? '(no name)'}`;
    console.log(`  ${problems.length === 0 ? 'ok  ' : 'FAIL'} ${id}`);
    for (const p of problems) console.log(`         ${p}`);
  }
}
console.log(`\n${objects} objects in ${TARGETS.length} kustomizations: ${objects - failures} passed, ${failures} failed`);
const composeOk = checkCompose();
process.exit(failures > 0 || objects === 0 || !composeOk ? 1 : 0);

/**
 * docker-compose.yml against Compose's own schema and interpolation: `docker-compose config -q`
 * (Debian package docker-compose; `docker compose` works too) on a copy of deploy/ whose .env is
 * .env.example. Needs no container daemon.
 */
function checkCompose() {
  const root = mkdtempSync(join(tmpdir(), 'chorus-compose-check-'));
  try {
    for (const f of ['docker-compose.yml', 'Caddyfile']) cpSync(join(deployDir, f), join(root, f));
    cpSync(join(deployDir, '.env.example'), join(root, '.env'));
    const tools = [['docker-compose', []], ['docker', ['compose']]];
    for (const [cmd, pre] of tools) {
      try {
        execFileSync(cmd, [...pre, '-f', join(root, 'docker-compose.yml'), '--env-file', join(root, '.env'), 'config', '-q'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        console.log(`\ndeploy/docker-compose.yml\n  ok   ${[cmd, ...pre, 'config'].join(' ')}`);
        return true;
      } catch (error) {
        if (error.code === 'ENOENT' || /unknown command|is not a docker command/.test(String(error.stderr))) continue;
        console.log(`\ndeploy/docker-compose.yml\n  FAIL ${(error.stderr || error.message).trim().split('\n').join('\n       ')}`);
        return false;
      }
    }
    console.error('docker-compose not found: install the Debian package docker-compose (no daemon needed) to check deploy/docker-compose.yml.');
    process.exit(2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * A copy of deploy/kubernetes in which every secrets.env is its secrets.env.example: the check
 * needs the files the secretGenerators read, and must neither depend on nor read real secrets.
 */
function renderableCopy() {
  const root = mkdtempSync(join(tmpdir(), 'chorus-deploy-check-'));
  cpSync(join(deployDir, 'kubernetes'), join(root, 'kubernetes'), {
    recursive: true,
    filter: (src) => !src.endsWith('/secrets.env'),
  });
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'secrets.env.example') cpSync(path, join(dir, 'secrets.env'));
    }
  };
  walk(root);
  return root;
}

function kustomize(dir) {
  try {
    return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (error.code === 'ENOENT') {
      console.error('kubectl not found: install the Debian package kubernetes-client (it brings `kubectl kustomize`).');
      process.exit(2);
    }
    console.error(`kubectl kustomize ${dir} failed:\n${error.stderr || error.message}`);
    process.exit(1);
  }
}

async function loadYamlParser() {
  try {
    const { parseAllDocuments: parse } = await import('yaml');
    return (text) => parse(text).map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS();
    });
  } catch (error) {
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  // js-yaml comes with @nestjs/swagger; used until `yaml` is a devDependency of its own.
  const { loadAll } = await import('js-yaml');
  return (text) => loadAll(text);
}

/** Every problem of one rendered object; empty when it passes. */
function check(obj, target) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS[key];
  if (!Model) return [`unknown kind ${key}: add its model to deploy/check.mjs or fix apiVersion/kind`];
  const problems = [];
  try {
    new Model(forValidation(obj)).validate();
  } catch (error) {
    problems.push(`schema: ${error.message}`);
  }
  problems.push(...unknownFields(obj, modelTypesFile(obj), ''));
  const pod = obj.kind === 'Deployment' || obj.kind === 'Job' ? obj.spec?.template?.spec : undefined;
  if (pod) problems.push(...podRules(obj, pod, target));
  return problems;
}

/** kustomize wraps long base64 Secret values over lines; the API server's decoder skips newlines, the model's does not. */
function forValidation(obj) {
  if (obj.kind !== 'Secret' || !obj.data) return obj;
  return { ...obj, data: Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, String(v).replace(/\s+/g, '')])) };
}

function podRules(obj, pod, target) {
  const problems = [];
  const component = obj.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'];
  const podContext = pod.securityContext ?? {};
  const init = new Set(pod.initContainers ?? []);
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `${init.has(c) ? 'init container' : 'container'} ${c.name}`;
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${where}: resources.requests needs cpu and memory`);
    const nonRoot = c.securityContext?.runAsNonRoot ?? podContext.runAsNonRoot;
    const uid = c.securityContext?.runAsUser ?? podContext.runAsUser;
    if (nonRoot !== true || uid === 0) problems.push(`${where}: must run as non-root (runAsNonRoot: true, runAsUser not 0)`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
    const imageName = (c.image ?? '').split('/').pop();
    if (target.production && (!/[:@]/.test(imageName) || imageName.endsWith(':latest'))) {
      problems.push(`${where}: image ${c.image} must be pinned to a tag or digest other than latest in production`);
    }
    if (component === 'api' && !init.has(c)) {
      if (c.readinessProbe?.httpGet?.path !== '/readyz') problems.push(`${where}: readinessProbe must GET /readyz`);
      if (c.livenessProbe?.httpGet?.path !== '/healthz') problems.push(`${where}: livenessProbe must GET /healthz`);
    }
  }
  return problems;
}

// --- Fields the schemas do not know ---------------------------------------------------------------
// kubernetes-models checks types and required fields but lets unknown properties through, so a typo
// such as `readinesProbe` would pass. The models' type declarations list every property with its type;
// walk the object along them.

function modelTypesFile(obj) {
  return fileURLToPath(import.meta.resolve(`${MODEL_FILES[obj.apiVersion]}/${obj.kind}`)).replace(/\.js$/, '.d.ts');
}

/** { props: Map<name, typeText>, imports: Map<typeName, file>, extendsTypeMeta } of the interface in a .d.ts file. */
function declaration(file) {
  if (!declarations.has(file)) {
    const text = readFileSync(file, 'utf8');
    const imports = new Map();
    for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) imports.set(m[1], resolveTypes(file, m[2]));
    const body = text.match(/export interface \w+( extends TypeMeta)? \{\n([\s\S]*?)\n\}/);
    const props = new Map();
    if (body) for (const m of body[2].matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) props.set(m[1], m[2]);
    declarations.set(file, body ? { props, imports, extendsTypeMeta: Boolean(body[1]) } : null);
  }
  return declarations.get(file);
}

function resolveTypes(fromFile, specifier) {
  const js = specifier.startsWith('.') ? resolve(dirname(fromFile), specifier) : fileURLToPath(import.meta.resolve(specifier));
  const dts = js.replace(/(\.js)?$/, '.d.ts');
  return existsSync(dts) ? dts : null;
}

function unknownFields(value, file, path) {
  const decl = file && declaration(file);
  if (!decl || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const problems = [];
  for (const [name, child] of Object.entries(value)) {
    const type = decl.props.get(name);
    if (type === undefined) {
      if (!(decl.extendsTypeMeta && (name === 'apiVersion' || name === 'kind'))) problems.push(`unknown field ${path}/${name}`);
      continue;
    }
    const array = type.match(/^Array<(\w+)>$/);
    const ref = decl.imports.get(array ? array[1] : type);
    if (!ref) continue;
    if (array && Array.isArray(child)) child.forEach((item, i) => problems.push(...unknownFields(item, ref, `${path}/${name}/${i}`)));
    else problems.push(...unknownFields(child, ref, `${path}/${name}`));
  }
  return problems;
}
