import type { ExportAttachment } from './bundle.types.js';

/**
 * A file name safe inside a ZIP on every platform: NFC, no path separators, control or reserved
 * characters, no leading dots, at most ~150 UTF-8 bytes with the extension kept.
 */
export function safeFileName(name: string): string {
  let clean = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (clean === '') clean = 'file';
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
  let stem = ext ? clean.slice(0, dot) : clean;
  while (Buffer.byteLength(stem + ext) > 150) stem = [...stem].slice(0, -1).join('');
  return stem + ext;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Where an attachment's bytes go in the bundle: `attachments/<id>/<safe file name>`. */
export function attachmentBundlePath(att: Pick<ExportAttachment, 'id' | 'fileName'>): string {
  if (!SAFE_ID.test(att.id)) throw new Error(`Attachment id "${att.id}" cannot be used in a bundle path`);
  return `attachments/${att.id}/${safeFileName(att.fileName)}`;
}

/** A path is acceptable in the bundle only in this shape (no "..", no absolute paths). */
export function isSafeAttachmentPath(path: string): boolean {
  const parts = path.split('/');
  return parts.length === 3 && parts[0] === 'attachments' && SAFE_ID.test(parts[1]) && parts[2] === safeFileName(parts[2]);
}

/** The flat name of an attachment inside an rsmf.zip (RSMF wants files at the zip root). */
export function rsmfAttachmentName(att: Pick<ExportAttachment, 'id' | 'fileName'>): string {
  return `${att.id}_${safeFileName(att.fileName)}`;
}
