import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import MailComposer from 'nodemailer/lib/mail-composer';
import { rsmfAttachmentName } from './bundle-paths.js';
import type { BundleContext, ExportPost, ExportUser } from './bundle.types.js';
import { HashedFile } from './hashed-file.js';
import { StreamingZipWriter } from './zip-writer.js';

export const RSMF_VERSION = '2.0.0';

interface RsmfParticipant {
  id: string;
  display?: string;
  email?: string;
  account_id?: string;
}

interface ConversationState {
  id: string;
  display: string;
  /** File name stem under rsmf/ and in the work directory. */
  stem: string;
  participantIds: Set<string>;
  events: number;
  attachments: number;
  begin: string;
  end: string;
}

/** RSMF `custom` wants non-empty string name/value pairs. */
function custom(pairs: [string, string | null | undefined][]): { name: string; value: string }[] {
  return pairs.filter((p): p is [string, string] => typeof p[1] === 'string' && p[1] !== '').map(([name, value]) => ({ name, value }));
}

/**
 * Relativity Short Message Format 2.0 output: one RSMF (an EML carrying X-RSMF-* headers and
 * rsmf.zip with rsmf_manifest.json) per conversation, i.e. the company stream and each group.
 *
 * Memory stays flat in the number of posts: each batch's events are appended to a staging file
 * per conversation, and each manifest is streamed from that file at the end. What is kept in
 * memory is per user and per conversation (participants), never per post.
 */
export class RsmfConversations {
  private readonly conversations = new Map<string, ConversationState>();
  private readonly participants = new Map<string, RsmfParticipant>();

  constructor(
    private readonly stagingDir: string,
    private readonly ctx: BundleContext,
    private readonly withAttachmentBytes: boolean,
  ) {}

  get count(): number {
    return this.conversations.size;
  }

  async add(batch: ExportPost[]): Promise<void> {
    const events = new Map<string, string[]>();
    const files = new Map<string, string[]>();
    for (const post of batch) {
      const conv = this.conversation(post);
      this.participant(post.author);
      conv.participantIds.add(post.author.id);
      for (const r of post.reactions) conv.participantIds.add(this.participant({ id: r.userId }).id);
      for (const v of post.versions) conv.participantIds.add(this.participant({ id: v.editedBy }).id);
      conv.events += 1;
      if (conv.events === 1) conv.begin = post.createdAt;
      conv.end = post.createdAt;
      (events.get(conv.id) ?? events.set(conv.id, []).get(conv.id)!).push(JSON.stringify(this.event(conv.id, post)));
      if (this.withAttachmentBytes) {
        for (const a of post.attachments) {
          if (!a.path) continue;
          conv.attachments += 1;
          (files.get(conv.id) ?? files.set(conv.id, []).get(conv.id)!).push(JSON.stringify({ name: rsmfAttachmentName(a), path: a.path }));
        }
      }
    }
    for (const [id, lines] of events) await appendFile(join(this.stagingDir, `${this.conversations.get(id)!.stem}.events.jsonl`), `${lines.join('\n')}\n`);
    for (const [id, lines] of files) await appendFile(join(this.stagingDir, `${this.conversations.get(id)!.stem}.files.jsonl`), `${lines.join('\n')}\n`);
  }

  /**
   * Writes rsmf/<stem>.eml for every conversation into `outDir`, reading attachment bytes from
   * `bundleDir`; calls `onFile` with each file's bundle path, hash and size.
   */
  async build(outDir: string, bundleDir: string, onFile: (path: string, sha256: string, size: number) => Promise<void>): Promise<void> {
    for (const conv of this.conversations.values()) {
      const innerZip = join(this.stagingDir, `${conv.stem}.rsmf.zip`);
      await this.buildInnerZip(conv, innerZip, bundleDir);
      const file = new HashedFile(join(outDir, `${conv.stem}.eml`));
      const composer = new MailComposer({
        from: { name: this.ctx.org.name, address: `export@${this.ctx.org.slug}.chorus.invalid` },
        date: new Date(conv.end),
        subject: `Chorus conversation: ${conv.display} (${conv.events} messages)`,
        messageId: `<rsmf.${conv.stem}.${this.ctx.exportId}@${this.ctx.org.slug}.chorus.invalid>`,
        headers: [
          { key: 'X-RSMF-Version', value: RSMF_VERSION },
          { key: 'X-RSMF-Generator', value: `Chorus ${this.ctx.softwareVersion}` },
          { key: 'X-RSMF-Application', value: 'Chorus' },
          { key: 'X-RSMF-BeginDate', value: conv.begin },
          { key: 'X-RSMF-EndDate', value: conv.end },
          { key: 'X-RSMF-EventCount', value: String(conv.events) },
          { key: 'X-RSMF-AttachmentCount', value: String(conv.attachments) },
          { key: 'X-RSMF-EventCollectionID', value: `${this.ctx.exportId}/${conv.id}` },
        ],
        text: `Chorus conversation "${conv.display}" of ${this.ctx.org.name}: ${conv.events} messages from ${conv.begin} to ${conv.end}, ${conv.participantIds.size} participants.\r\nThe complete record is in the attached rsmf.zip (rsmf_manifest.json, RSMF ${RSMF_VERSION}).\r\n`,
        attachments: [{ filename: 'rsmf.zip', path: innerZip, contentType: 'application/zip', encoding: 'base64' }],
      });
      await file.writeAll(composer.compile().createReadStream());
      const { sha256, size } = await file.close();
      await onFile(`rsmf/${conv.stem}.eml`, sha256, size);
    }
  }

  private conversation(post: ExportPost): ConversationState {
    const id = post.group ? `group-${post.group.id}` : 'company';
    let conv = this.conversations.get(id);
    if (!conv) {
      conv = { id, display: post.group ? post.group.name : `${this.ctx.org.name} company stream`, stem: id, participantIds: new Set(), events: 0, attachments: 0, begin: '', end: '' };
      this.conversations.set(id, conv);
    }
    return conv;
  }

  private participant(user: Partial<ExportUser> & { id: string }): RsmfParticipant {
    let p = this.participants.get(user.id);
    if (!p) {
      p = { id: user.id, account_id: user.id };
      this.participants.set(user.id, p);
    }
    if (user.displayName) p.display = user.displayName;
    if (user.email) p.email = user.email;
    return p;
  }

  private event(conversation: string, post: ExportPost): Record<string, unknown> {
    const reactions = new Map<string, string[]>();
    for (const r of post.reactions) (reactions.get(r.kind) ?? reactions.set(r.kind, []).get(r.kind)!).push(r.userId);
    const edits = post.versions.slice(1).map((v, i) => ({ participant: v.editedBy, timestamp: v.createdAt, previous: post.versions[i].body, new: v.body }));
    const event: Record<string, unknown> = {
      id: post.id,
      type: 'message',
      conversation,
      participant: post.author.id,
      timestamp: post.createdAt,
      body: post.body,
      deleted: post.deletedAt !== null,
      custom: custom([
        ['chorus.post_id', post.id],
        ['chorus.thread_id', post.threadId],
        ['chorus.edited_at', post.editedAt],
        ['chorus.deleted_at', post.deletedAt],
        ['chorus.deleted_by', post.deletedBy],
        ['chorus.pinned_at', post.pinnedAt],
        ['chorus.on_hold', post.onHold ? 'true' : 'false'],
        ['chorus.source', post.source.kind],
        ['chorus.source_ref', post.source.ref],
        ['chorus.hashtags', post.hashtags.join(' ')],
        ['chorus.mentions', post.mentions.join(' ')],
        ...post.attachments.map((a): [string, string] => ['chorus.attachment', `${a.fileName} (sha256 ${a.sha256}, ${a.sizeBytes} bytes)`]),
      ]),
    };
    if (post.parentId) event.parent = post.parentId;
    if (edits.length > 0) event.edits = edits;
    if (reactions.size > 0) event.reactions = [...reactions].map(([value, participants]) => ({ value, count: participants.length, participants }));
    const included = this.withAttachmentBytes ? post.attachments.filter((a) => a.path) : [];
    if (included.length > 0) event.attachments = included.map((a) => ({ id: rsmfAttachmentName(a), display: a.fileName, size: a.sizeBytes }));
    return event;
  }

  private async buildInnerZip(conv: ConversationState, zipPath: string, bundleDir: string): Promise<void> {
    const manifestPath = join(this.stagingDir, `${conv.stem}.rsmf_manifest.json`);
    await pipeline(Readable.from(this.manifestChunks(conv)), createWriteStream(manifestPath));
    const zip = new StreamingZipWriter(zipPath, join(this.stagingDir, `${conv.stem}.rsmf.cd`), new Date(conv.end));
    try {
      await zip.addFile('rsmf_manifest.json', manifestPath, (await stat(manifestPath)).size, true);
      const filesPath = join(this.stagingDir, `${conv.stem}.files.jsonl`);
      if (conv.attachments > 0) {
        const seen = new Set<string>();
        for await (const line of createInterface({ input: createReadStream(filesPath), crlfDelay: Infinity })) {
          if (line === '') continue;
          const { name, path } = JSON.parse(line) as { name: string; path: string };
          if (seen.has(name)) continue;
          seen.add(name);
          const source = join(bundleDir, path);
          const size = await stat(source).then(
            (s) => (s.isFile() ? s.size : null),
            () => null,
          );
          if (size !== null) await zip.addFile(name, source, size, false);
          else await zip.addBuffer(name, Buffer.from(`The bytes of ${path} were not supplied to this export.\n`), false);
        }
      }
      await zip.finish();
    } catch (error) {
      zip.destroy();
      throw error;
    } finally {
      await rm(manifestPath, { force: true });
      await rm(join(this.stagingDir, `${conv.stem}.rsmf.cd`), { force: true });
    }
  }

  /** rsmf_manifest.json, streamed: participants and conversations from memory, events from the staging file. */
  private async *manifestChunks(conv: ConversationState): AsyncGenerator<string> {
    const participants = [...conv.participantIds].sort().map((id) => this.participants.get(id)!);
    const conversation = { id: conv.id, display: conv.display, platform: 'Chorus', type: 'channel', participants: [...conv.participantIds].sort() };
    yield `{"version":"${RSMF_VERSION}","eventcollectionid":${JSON.stringify(`${this.ctx.exportId}/${conv.id}`)},"participants":${JSON.stringify(participants)},"conversations":[${JSON.stringify(conversation)}],"events":[\n`;
    let first = true;
    for await (const line of createInterface({ input: createReadStream(join(this.stagingDir, `${conv.stem}.events.jsonl`)), crlfDelay: Infinity })) {
      if (line === '') continue;
      yield first ? line : `,\n${line}`;
      first = false;
    }
    yield '\n]}\n';
  }
}
