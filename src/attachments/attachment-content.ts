import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** What may be uploaded, as sniffed from the bytes. Macro-enabled Office files are not on it. */
export const ALLOWED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  DOCX,
  XLSX,
  PPTX,
  'text/plain',
]);

/** Bytes with no recognisable signature that are not text. */
export const UNKNOWN_BINARY = 'application/octet-stream';

/**
 * The type the bytes really are; the client's Content-Type and file name play no part.
 * Formats with a signature are recognised by file-type; without one, only UTF-8 text with
 * no NUL byte counts as text/plain, anything else is unknown binary.
 */
export async function detectContentType(bytes: Buffer): Promise<string> {
  const found = await fileTypeFromBuffer(bytes);
  if (found) return found.mime;
  return isUtf8(bytes) && !bytes.includes(0) ? 'text/plain' : UNKNOWN_BINARY;
}

const MAX_NAME_CHARS = 200;
const MAX_EXTENSION_CHARS = 20;
// Control characters, Unicode line/paragraph separators, and bidi controls (which can make
// "invoice\u202Efdp.exe" display as "invoiceexe.pdf").
const UNSAFE_CHARS = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * The client's file name, made safe to store and show: no directories, no control or bidi
 * characters, no leading dots, at most 200 characters (the extension kept), never empty.
 * It is only a label: storage keys never come from it.
 */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const name = base
    .normalize('NFC')
    .replace(UNSAFE_CHARS, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const chars = [...name];
  if (chars.length === 0) return 'file';
  if (chars.length <= MAX_NAME_CHARS) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  const keep = extension.length <= MAX_EXTENSION_CHARS ? extension : [];
  return chars.slice(0, MAX_NAME_CHARS - keep.length).join('').trimEnd() + keep.join('');
}
