import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { badRequest, DomainError } from '../common/domain-error.js';
import type { AuthContext } from '../identity/auth-context.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import { ALLOWED_CONTENT_TYPES, cleanFileName, detectContentType } from './attachment-content.js';
import { attachmentKey, AttachmentStorage } from './attachment-storage.js';
import { AttachmentRepository, type AttachmentRow, type AttachmentView } from './attachment.repository.js';

export type { AttachmentRow, AttachmentView } from './attachment.repository.js';

export const MAX_ATTACHMENTS_PER_POST = 10;

/** The part of a multer file (memory storage) that an upload needs. */
export interface UploadedFileBytes {
  originalname: string;
  buffer: Buffer;
}

export interface OpenedAttachment {
  attachment: AttachmentRow;
  stream: Readable;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const attachmentTooLarge = (maxBytes: number) =>
  new DomainError(413, 'attachment_too_large', `An attachment can be at most ${maxBytes} bytes`, { maxBytes });

/**
 * Attachments: uploaded on their own (type sniffed from the bytes, stored, recorded), then
 * attached to a post inside the posts module's transaction. Nothing is stored for a rejected
 * upload, and a stored file whose row could not be written is removed again.
 */
@Injectable()
export class AttachmentService {
  constructor(
    private readonly attachments: AttachmentRepository,
    private readonly storage: AttachmentStorage,
    private readonly db: TenantDatabase,
    private readonly config: AppConfig,
  ) {}

  async upload(auth: AuthContext, file: UploadedFileBytes | undefined): Promise<AttachmentView> {
    if (!file) throw badRequest('file_required', 'Send the file as multipart/form-data in the field "file"');
    const bytes = file.buffer;
    if (bytes.length === 0) throw badRequest('file_required', 'The file is empty');
    // Multer enforces the limit while receiving; this keeps the rule true for any other caller.
    const maxBytes = this.config.env.ATTACHMENT_MAX_BYTES;
    if (bytes.length > maxBytes) throw attachmentTooLarge(maxBytes);
    const contentType = await detectContentType(bytes);
    if (!ALLOWED_CONTENT_TYPES.has(contentType)) {
      throw new DomainError(415, 'unsupported_media_type', `Files of type ${contentType} cannot be attached`, {
        detectedType: contentType,
        allowedTypes: [...ALLOWED_CONTENT_TYPES],
      });
    }

    const id = randomUUID();
    const storageKey = attachmentKey(auth.orgId, id);
    await this.storage.put(storageKey, bytes);
    try {
      return await this.db.withOrg(auth.orgId, (tx) =>
        this.attachments.insert(tx, {
          id,
          uploaderId: auth.userId,
          fileName: cleanFileName(file.originalname),
          contentType,
          sizeBytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          storageKey,
        }),
      );
    } catch (error) {
      await this.storage.remove(storageKey);
      throw error;
    }
  }

  /**
   * Attaches the uploader's own, still unattached uploads to a post, in the caller's
   * transaction. Any other id (someone else's, already attached, unknown, another org's) fails
   * the whole call with 400 `invalid_attachment`; the caller's transaction must then roll back
   * (withOrg does, as the error passes through it).
   */
  async attachInTx(tx: OrgTx, uploaderId: string, postId: string, ids: string[]): Promise<void> {
    if (ids.length > MAX_ATTACHMENTS_PER_POST) {
      throw badRequest('too_many_attachments', `A post can have at most ${MAX_ATTACHMENTS_PER_POST} attachments`, {
        maxAttachments: MAX_ATTACHMENTS_PER_POST,
      });
    }
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (wanted.length === 0) return;
    const wellFormed = wanted.filter((id) => UUID.test(id));
    const attached = new Set(wellFormed.length > 0 ? await this.attachments.attachOwnUnattached(tx, uploaderId, postId, wellFormed) : []);
    const invalidIds = wanted.filter((id) => !attached.has(id));
    if (invalidIds.length > 0) {
      throw badRequest('invalid_attachment', 'Attachments must be your own uploads that are not yet attached to a post', { invalidIds });
    }
  }

  /**
   * The row (with postId and uploaderId, for the caller's visibility rules) and a stream of the
   * bytes, or null when the org has no such attachment. The file is opened as the stream is
   * read; a missing file surfaces as the stream's error.
   */
  async openInTx(tx: OrgTx, id: string): Promise<OpenedAttachment | null> {
    if (!UUID.test(id.toLowerCase())) return null;
    const attachment = await this.attachments.find(tx, id.toLowerCase());
    if (!attachment) return null;
    return { attachment, stream: this.storage.open(attachment.storageKey) };
  }
}
