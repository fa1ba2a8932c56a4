import { stringify } from 'csv-stringify/sync';
import type { ExportPost } from './bundle.types.js';

export const POSTS_CSV_COLUMNS = [
  'post_id',
  'thread_id',
  'parent_id',
  'group_id',
  'group_name',
  'author_id',
  'author_email',
  'author_name',
  'version',
  'version_created_at',
  'edited_by',
  'body',
  'post_created_at',
  'post_edited_at',
  'post_deleted_at',
  'on_hold',
  'source_kind',
  'source_ref',
  'reaction_count',
  'attachment_names',
] as const;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return) as a formula
 * (OWASP "CSV injection"). posts.csv is for people opening it in Excel, so such cells get a leading
 * apostrophe; posts.jsonl stays the unaltered record.
 */
export function guardCsvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The start of posts.csv: a UTF-8 byte order mark (Excel reads the file as UTF-8 then) and the header row. */
export function postsCsvHead(): string {
  return `\ufeff${stringify([[...POSTS_CSV_COLUMNS]], { record_delimiter: 'windows' })}`;
}

/** The CSV text of many posts at once (one call per batch: per-row stream writes cost more than the quoting). */
export function postsCsvText(posts: ExportPost[]): string {
  return stringify(posts.flatMap(postCsvRows), { record_delimiter: 'windows' });
}

/** One row per version, oldest first; the post-level columns repeat on each row. */
export function postCsvRows(post: ExportPost): string[][] {
  const cell = (v: string | null) => (v === null ? '' : guardCsvCell(v));
  const attachmentNames = post.attachments.map((a) => a.fileName).join('; ');
  return post.versions.map((v) => [
    post.id,
    post.threadId,
    post.parentId ?? '',
    post.group?.id ?? '',
    cell(post.group?.name ?? null),
    post.author.id,
    cell(post.author.email),
    cell(post.author.displayName),
    String(v.version),
    v.createdAt,
    v.editedBy,
    cell(v.body),
    post.createdAt,
    post.editedAt ?? '',
    post.deletedAt ?? '',
    post.onHold ? 'true' : 'false',
    post.source.kind,
    cell(post.source.ref),
    String(post.reactions.length),
    cell(attachmentNames),
  ]);
}
