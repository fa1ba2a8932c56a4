import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { attachmentBundlePath, isSafeAttachmentPath } from './bundle-paths.js';
import { writeBundleZip, type ZipSource } from './bundle-zip.js';
import type {
  BundleContext,
  BundleCounts,
  BundleFileEntry,
  BundleManifest,
  CustodyEvent,
  ExportAttachment,
  ExportAuditEvent,
  ExportPost,
  FinishedBundle,
  ManifestSigner,
} from './bundle.types.js';
import { canonicalJsonWithStreamedArray } from './canonical-json.js';
import { HashedFile } from './hashed-file.js';
import { buildPostEml } from './post-eml.js';
import { postsCsvHead, postsCsvText } from './posts-csv.js';
import { RsmfConversations } from './rsmf-conversations.js';

type IndexedFile = ZipSource & { sha256: string };

/** A problem with an input the writer records instead of failing the export (see addAttachment). */
export interface BundleWarning {
  path: string;
  problem: 'attachment_hash_mismatch' | 'attachment_size_mismatch';
  expected: string | number;
  actual: string | number;
}

/**
 * Turns export records into the compliance bundle ZIP (issue 5 part 3). Everything is streamed to
 * files in `workDir` as it arrives and hashed on the way; `finish` zips those files. Memory holds
 * per-user and per-conversation state only, never per-post data (the ZIP's central directory is
 * spilled to a file as entries are written: see StreamingZipWriter).
 */
export class BundleWriter {
  private readonly counts: BundleCounts = { posts: 0, versions: 0, deletedPosts: 0, heldPosts: 0, reactions: 0, attachments: 0, conversations: 0, auditEvents: 0 };
  private readonly conversationIds = new Set<string>();
  private readonly warnings: BundleWarning[] = [];
  private readonly posts: HashedFile;
  private readonly csv: HashedFile | null;
  private readonly audit: HashedFile | null;
  private readonly spool: HashedFile | null;
  private readonly index: HashedFile;
  private readonly rsmf: RsmfConversations | null;
  private spoolOffset = 0;
  private indexedBytes = 0;
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';
  private zipPath: string | null = null;

  private constructor(
    private readonly workDir: string,
    private readonly ctx: BundleContext,
  ) {
    const has = (f: string) => ctx.formats.includes(f as never);
    this.posts = new HashedFile(join(workDir, 'posts.jsonl'));
    this.csv = has('csv') ? new HashedFile(join(workDir, 'posts.csv')) : null;
    if (this.csv) void this.csv.write(postsCsvHead());
    this.audit = has('audit') ? new HashedFile(join(workDir, 'audit.jsonl')) : null;
    this.spool = has('eml') ? new HashedFile(join(workDir, 'staging', 'messages.spool')) : null;
    this.index = new HashedFile(join(workDir, 'staging', 'files.index.jsonl'));
    this.rsmf = has('rsmf') ? new RsmfConversations(join(workDir, 'staging', 'rsmf'), ctx, has('attachments')) : null;
  }

  /** Starts a fresh attempt: removes whatever an earlier (crashed) attempt left in workDir. */
  static async open(workDir: string, ctx: BundleContext): Promise<BundleWriter> {
    await rm(workDir, { recursive: true, force: true });
    for (const dir of ['staging/rsmf', 'attachments', 'rsmf']) await mkdir(join(workDir, dir), { recursive: true });
    return new BundleWriter(workDir, ctx);
  }

  /** A batch of posts in (createdAt, id) order; called many times. */
  async addPosts(batch: ExportPost[]): Promise<void> {
    this.assertOpen();
    // One write per file per batch: the streams' per-write cost dominates otherwise.
    let lines = '';
    const emls: Buffer[] = [];
    let index = '';
    for (const post of batch) {
      this.count(post);
      lines += `${JSON.stringify(post)}\n`;
      if (this.spool) {
        const eml = await buildPostEml(this.ctx, post);
        emls.push(eml);
        const entry: IndexedFile = {
          path: `messages/${post.id}.eml`,
          size: eml.length,
          sha256: createHash('sha256').update(eml).digest('hex'),
          file: join(this.workDir, 'staging', 'messages.spool'),
          start: this.spoolOffset,
          compress: true,
        };
        this.spoolOffset += eml.length;
        this.indexedBytes += entry.size;
        index += `${JSON.stringify(entry)}\n`;
      }
    }
    await this.posts.write(lines);
    if (this.csv) await this.csv.write(postsCsvText(batch));
    if (this.spool && emls.length > 0) {
      await this.spool.write(Buffer.concat(emls));
      await this.index.write(index);
    }
    if (this.rsmf) await this.rsmf.add(batch);
  }

  /**
   * The bytes of one attachment (formats include `attachments`). They are stored exactly as given
   * and hashed while copied. A hash or size different from the record does NOT fail the export:
   * the bytes are still evidence. The mismatch goes into custody.json and manifest.json
   * (`warnings`), and the manifest lists the hash of the bytes actually in the bundle.
   * A second call for the same path keeps the first copy.
   */
  async addAttachment(att: ExportAttachment, content: NodeJS.ReadableStream): Promise<void> {
    this.assertOpen();
    if (!this.ctx.formats.includes('attachments')) throw new Error('This bundle does not include attachments');
    const path = att.path ?? attachmentBundlePath(att);
    if (!isSafeAttachmentPath(path)) throw new Error(`Unsafe attachment path "${path}"`);
    const target = join(this.workDir, path);
    await mkdir(dirname(target), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(content, tap, createWriteStream(target, { flags: 'wx' }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw error;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== att.sha256) this.warnings.push({ path, problem: 'attachment_hash_mismatch', expected: att.sha256, actual: sha256 });
    if (size !== att.sizeBytes) this.warnings.push({ path, problem: 'attachment_size_mismatch', expected: att.sizeBytes, actual: size });
    await this.indexFile({ path, size, sha256, file: target, compress: false });
  }

  /** Audit events (formats include `audit`), in seq order, many batches. */
  async addAuditEvents(batch: ExportAuditEvent[]): Promise<void> {
    this.assertOpen();
    if (!this.audit) throw new Error('This bundle does not include the audit log');
    for (const event of batch) await this.audit.write(`${JSON.stringify(event)}\n`);
    this.counts.auditEvents += batch.length;
  }

  /**
   * Writes the remaining files, custody.json, manifest.json and manifest.sig, zips everything to
   * zipPath + '.partial', fsyncs, renames it to zipPath and removes the work directory.
   */
  async finish(opts: { zipPath: string; custody: CustodyEvent[]; signer: ManifestSigner; onProgress?: (fraction: number) => void }): Promise<FinishedBundle> {
    this.assertOpen();
    this.state = 'finishing';
    this.zipPath = opts.zipPath;
    const generatedAt = new Date().toISOString();
    this.counts.conversations = this.conversationIds.size;

    const main: IndexedFile[] = [];
    const closeMain = async (file: HashedFile | null, path: string) => {
      if (!file) return;
      const { sha256, size } = await file.close();
      main.push({ path, sha256, size, file: join(this.workDir, path), compress: true });
    };
    await closeMain(this.posts, 'posts.jsonl');
    await closeMain(this.csv, 'posts.csv');
    await closeMain(this.audit, 'audit.jsonl');
    if (this.spool) await this.spool.close();
    if (this.rsmf) await this.rsmf.build(join(this.workDir, 'rsmf'), this.workDir, (path, sha256, size) => this.indexFile({ path, sha256, size, file: join(this.workDir, path), compress: true }));
    await this.index.close();

    const listed = () => this.listedFiles(main);
    const custodyPath = join(this.workDir, 'custody.json');
    // What both records state about the request, in the same words.
    const { exportId, org, requestedBy, requestedAt, filters, formats, softwareVersion, auditHead } = this.ctx;
    const request = { exportId, org, requestedBy, requestedAt, filters, formats, softwareVersion, auditHead, generatedAt, counts: this.counts };
    const custodyHead = {
      ...request,
      host: this.ctx.host,
      attempt: this.ctx.attempt,
      events: [...opts.custody, ...this.warnings.map((w): CustodyEvent => ({ at: generatedAt, event: w.problem, detail: { ...w } }))],
    };
    const custody = await this.writeStreamed(custodyPath, canonicalJsonWithStreamedArray(custodyHead, 'files', entries(listed())));
    const custodyEntry: IndexedFile = { path: 'custody.json', ...custody, file: custodyPath, compress: true };

    const manifestHead: Omit<BundleManifest, 'files'> & { warnings: BundleWarning[] } = {
      bundleFormat: 'chorus-export-bundle',
      bundleFormatVersion: 1,
      ...request,
      signingKey: { algorithm: 'Ed25519', fingerprint: opts.signer.fingerprint, publicKeyPem: opts.signer.publicKeyPem },
      warnings: this.warnings,
    };
    const manifestPath = join(this.workDir, 'manifest.json');
    const manifestFiles = async function* (): AsyncGenerator<IndexedFile> {
      yield custodyEntry;
      yield* listed();
    };
    const manifest = await this.writeStreamed(manifestPath, canonicalJsonWithStreamedArray(manifestHead, 'files', entries(manifestFiles())));
    // Ed25519 signs the message itself (no pre-hash), so the manifest is read back once here.
    const signature = opts.signer.sign(await readWhole(manifestPath)).toString('base64');
    const sigPath = join(this.workDir, 'manifest.sig');
    await writeFile(sigPath, `${signature}\n`);
    const sigSize = Buffer.byteLength(`${signature}\n`);

    const sources = async function* (): AsyncGenerator<ZipSource> {
      yield { path: 'manifest.json', size: manifest.size, file: manifestPath, compress: true };
      yield { path: 'manifest.sig', size: sigSize, file: sigPath, compress: false };
      yield* manifestFiles();
    };
    const zip = await writeBundleZip({
      zipPath: opts.zipPath,
      spillPath: join(this.workDir, 'staging', 'central-directory.bin'),
      sources: sources(),
      totalBytes: manifest.size + sigSize + custody.size + this.indexedBytes + main.reduce((n, f) => n + f.size, 0),
      mtime: new Date(generatedAt),
      onProgress: opts.onProgress,
    });
    this.state = 'done';
    await rm(this.workDir, { recursive: true, force: true });
    return { zipPath: opts.zipPath, sizeBytes: zip.sizeBytes, sha256: zip.sha256, manifestSha256: manifest.sha256, counts: { ...this.counts } };
  }

  /** Removes the work dir (and any partial zip). */
  async abort(): Promise<void> {
    this.state = 'aborted';
    for (const f of [this.posts, this.csv, this.audit, this.spool, this.index]) f?.destroy();
    await rm(this.workDir, { recursive: true, force: true });
    if (this.zipPath) await rm(`${this.zipPath}.partial`, { force: true });
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`The bundle writer is ${this.state}`);
  }

  private count(post: ExportPost): void {
    this.counts.posts += 1;
    this.counts.versions += post.versions.length;
    if (post.deletedAt) this.counts.deletedPosts += 1;
    if (post.onHold) this.counts.heldPosts += 1;
    this.counts.reactions += post.reactions.length;
    this.counts.attachments += post.attachments.length;
    this.conversationIds.add(post.group?.id ?? '');
  }

  private async indexFile(file: IndexedFile): Promise<void> {
    this.indexedBytes += file.size;
    await this.index.write(`${JSON.stringify(file)}\n`);
  }

  /** posts.jsonl, posts.csv, audit.jsonl, then messages, attachments and RSMF files in the order written. */
  private async *listedFiles(main: IndexedFile[]): AsyncGenerator<IndexedFile> {
    yield* main;
    const input = createReadStream(join(this.workDir, 'staging', 'files.index.jsonl'));
    for await (const line of createInterface({ input, crlfDelay: Infinity })) if (line !== '') yield JSON.parse(line) as IndexedFile;
  }

  private async writeStreamed(path: string, chunks: AsyncIterable<string>): Promise<{ sha256: string; size: number }> {
    const file = new HashedFile(path);
    await file.writeAll(chunks);
    return file.close();
  }
}

async function* entries(files: AsyncIterable<IndexedFile>): AsyncGenerator<BundleFileEntry> {
  for await (const f of files) yield { path: f.path, sha256: f.sha256, size: f.size };
}

async function readWhole(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

