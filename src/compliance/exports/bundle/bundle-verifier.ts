import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { ChainVerifier, type ChainBreak } from '../../../audit/audit-chain.js';
import type { BundleManifest, VerifyReport } from './bundle.types.js';
import { ed25519RawPublicKey, ed25519Verify } from './bundle-signing.js';

const MANIFEST = 'manifest.json';
const SIGNATURE = 'manifest.sig';
const AUDIT = 'audit.jsonl';
/** manifest.json and manifest.sig are read into memory; anything bigger is not a manifest we wrote. */
const MAX_MANIFEST_BYTES = 512 * 1024 * 1024;

interface Seen {
  sha256: string;
  size: number;
  error?: string;
}

/**
 * Checks a bundle: the Ed25519 signature over the exact bytes of manifest.json (with the given
 * public key, or else the key the manifest carries, which proves integrity but not origin), then
 * the SHA-256 and size of every entry against the manifest. Never throws for a bad bundle: every
 * fault, including an unreadable ZIP, is a problem in the report.
 */
export async function verifyBundle(zipPath: string, opts: { publicKeyPem?: string } = {}): Promise<VerifyReport> {
  const keySource = opts.publicKeyPem ? 'given' : 'manifest';
  const report: VerifyReport = { ok: false, exportId: null, checked: 0, signature: 'missing', keySource, problems: [] };
  if (!opts.publicKeyPem) report.note = 'Checked with the public key inside the bundle: this proves the files match the manifest, not who made it. Pass the org export key (GET /api/v1/compliance/export-key) to prove origin.';

  let seen: Map<string, Seen>;
  let manifestBytes: Buffer | undefined;
  let signatureText: string | undefined;
  let audit: AuditWalk | undefined;
  try {
    const read = await readEntries(zipPath);
    seen = read.seen;
    manifestBytes = read.manifest;
    signatureText = read.signature?.toString('utf8');
    audit = read.audit;
  } catch (error) {
    report.problems.push({ path: zipPath, problem: 'manifest_unreadable', actual: (error as Error).message });
    return report;
  }

  if (!manifestBytes) {
    report.problems.push({ path: MANIFEST, problem: 'manifest_unreadable', actual: 'not in the bundle' });
    return report;
  }
  let manifest: BundleManifest | null = null;
  try {
    const parsed = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
    if (!Array.isArray(parsed.files) || typeof parsed.signingKey?.publicKeyPem !== 'string') throw new Error('not a Chorus bundle manifest');
    manifest = parsed;
    report.exportId = typeof parsed.exportId === 'string' ? parsed.exportId : null;
  } catch (error) {
    report.problems.push({ path: MANIFEST, problem: 'manifest_unreadable', actual: (error as Error).message });
  }

  const keyPem = opts.publicKeyPem ?? manifest?.signingKey.publicKeyPem;
  if (opts.publicKeyPem && manifest) {
    const given = rawKey(opts.publicKeyPem);
    const inManifest = rawKey(manifest.signingKey.publicKeyPem);
    if (!given || !inManifest || !given.equals(inManifest)) {
      report.problems.push({ path: MANIFEST, problem: 'key_mismatch', expected: given ? sha256(given) : 'unreadable key', actual: manifest.signingKey.fingerprint });
    }
  }
  if (signatureText === undefined) {
    report.problems.push({ path: SIGNATURE, problem: 'missing' });
  } else if (keyPem && rawKey(keyPem) && ed25519Verify(keyPem, manifestBytes, signatureText)) {
    report.signature = 'valid';
  } else {
    report.signature = 'invalid';
    report.problems.push({ path: SIGNATURE, problem: 'signature_invalid' });
  }

  if (manifest) {
    const listed = new Set<string>();
    for (const f of manifest.files) {
      listed.add(f.path);
      const got = seen.get(f.path);
      if (!got) {
        report.problems.push({ path: f.path, problem: 'missing' });
        continue;
      }
      report.checked += 1;
      if (got.error) report.problems.push({ path: f.path, problem: 'hash_mismatch', expected: f.sha256, actual: got.error });
      else if (got.sha256 !== f.sha256) report.problems.push({ path: f.path, problem: 'hash_mismatch', expected: f.sha256, actual: got.sha256 });
      if (!got.error && got.size !== f.size) report.problems.push({ path: f.path, problem: 'size_mismatch', expected: f.size, actual: got.size });
    }
    for (const path of seen.keys()) if (!listed.has(path) && path !== MANIFEST && path !== SIGNATURE) report.problems.push({ path, problem: 'unlisted' });
  }
  // The exported audit log must be an unbroken chain from the org's first event up to the head the manifest was sealed with.
  if (audit) {
    report.auditChain = { checked: audit.checked, head: audit.last };
    if (audit.broken) report.problems.push({ path: AUDIT, problem: 'audit_chain_broken', expected: `seq ${audit.broken.seq}`, actual: audit.broken.reason });
    const head = manifest?.auditHead;
    if (!audit.broken && head && (audit.last?.seq !== head.seq || audit.last?.hash !== head.hash)) {
      report.problems.push({ path: AUDIT, problem: 'audit_head_mismatch', expected: `${head.seq}:${head.hash}`, actual: audit.last ? `${audit.last.seq}:${audit.last.hash}` : 'empty' });
    }
  }
  report.ok = report.problems.length === 0 && report.signature === 'valid';
  return report;
}

function rawKey(pem: string): Buffer | null {
  try {
    return ed25519RawPublicKey(pem);
  } catch {
    return null;
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One pass over the ZIP: hash every entry as it streams; keep manifest.json and manifest.sig. */
async function readEntries(zipPath: string): Promise<{ seen: Map<string, Seen>; manifest?: Buffer; signature?: Buffer; audit?: AuditWalk }> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  const seen = new Map<string, Seen>();
  let manifest: Buffer | undefined;
  let signature: Buffer | undefined;
  let audit: AuditWalk | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        const keep = entry.fileName === MANIFEST || entry.fileName === SIGNATURE;
        const walk = entry.fileName === AUDIT ? (audit = new AuditWalk()) : null;
        const hash = createHash('sha256');
        const chunks: Buffer[] = [];
        let size = 0;
        let finished = false;
        const done = (error?: Error) => {
          if (finished) return;
          finished = true;
          const record: Seen = { sha256: hash.digest('hex'), size };
          if (error) record.error = `unreadable entry: ${error.message}`;
          if (!seen.has(entry.fileName)) seen.set(entry.fileName, record);
          if (keep && !error) {
            if (entry.fileName === MANIFEST) manifest = Buffer.concat(chunks);
            else signature = Buffer.concat(chunks);
          }
          zip.readEntry();
        };
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return done(err ?? new Error('no stream'));
          stream.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            size += chunk.length;
            if (keep && size <= MAX_MANIFEST_BYTES) chunks.push(chunk);
            walk?.push(chunk);
          });
          stream.on('error', (e: Error) => done(e));
          stream.on('end', () => {
            walk?.end();
            done();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return { seen, manifest, signature, audit };
}

/** Re-walks audit.jsonl's hash chain line by line as it streams (constant memory). */
class AuditWalk {
  private readonly verifier = new ChainVerifier();
  private rest = '';
  broken: ChainBreak | { seq: number; reason: 'unreadable_line' } | null = null;
  last: { seq: number; hash: string } | null = null;

  push(chunk: Buffer): void {
    const text = this.rest + chunk.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): void {
    if (this.rest) this.line(this.rest);
    this.rest = '';
  }

  get checked(): number {
    return this.verifier.checked;
  }

  private line(line: string): void {
    if (this.broken || line.trim() === '') return;
    try {
      const row = JSON.parse(line) as Parameters<ChainVerifier['check']>[0];
      this.broken = this.verifier.check(row);
      if (!this.broken) this.last = { seq: row.seq, hash: row.hash };
    } catch {
      this.broken = { seq: (this.last?.seq ?? 0) + 1, reason: 'unreadable_line' };
    }
  }
}
