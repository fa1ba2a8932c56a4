/**
 * The contract between the export job (which reads the database) and the bundle writer (which
 * turns records into the files of the ZIP). Times are ISO 8601 strings in UTC.
 */

/** What a bundle can contain; `jsonl` (the canonical record) and the manifest are always there. */
export const EXPORT_FORMATS = ['jsonl', 'csv', 'eml', 'rsmf', 'attachments', 'audit'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportUser {
  id: string;
  email: string;
  displayName: string;
  handle: string;
}

export interface ExportGroup {
  id: string;
  name: string;
  visibility: 'public' | 'private';
}

export interface ExportVersion {
  version: number;
  body: string;
  editedBy: string;
  createdAt: string;
}

export interface ExportAttachment {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  /** Path inside the bundle when attachments are included (`attachments/<id>/<safe file name>`), else null. */
  path: string | null;
}

/** One post, complete: the canonical record line of posts.jsonl. */
export interface ExportPost {
  id: string;
  /** The conversation's root id (the post's own id for a root). */
  threadId: string;
  parentId: string | null;
  /** null: the company stream. */
  group: ExportGroup | null;
  author: ExportUser;
  /** The current text (the last version). */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
  pinnedAt: string | null;
  onHold: boolean;
  /** Every version, oldest first; version 1 is the original text. */
  versions: ExportVersion[];
  reactions: { userId: string; kind: string; createdAt: string }[];
  mentions: string[];
  hashtags: string[];
  attachments: ExportAttachment[];
  /** Where it came from: web, api, email (ref = Message-ID) or slack (ref = team:channel:ts). */
  source: { kind: 'web' | 'api' | 'email' | 'slack'; ref: string | null; provenance: Record<string, unknown> | null };
}

/** An audit event as exported (formats includes `audit`). */
export interface ExportAuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
  prevHash: string | null;
  hash: string;
}

/** Who asked for what: written into manifest.json and custody.json. */
export interface BundleContext {
  exportId: string;
  org: { id: string; slug: string; name: string };
  requestedBy: ExportUser;
  requestedAt: string;
  filters: Record<string, unknown>;
  formats: ExportFormat[];
  softwareVersion: string;
  host: string;
  /** How many times the job has started (1 on the first run). */
  attempt: number;
}

/** Signs manifest.json with the org's Ed25519 export key. */
export interface ManifestSigner {
  /** SHA-256 of the raw public key, hex. */
  fingerprint: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  sign(data: Buffer): Buffer;
}

/** A custody step the caller adds (e.g. "job started on host h", "attempt 2 after a crash"). */
export interface CustodyEvent {
  at: string;
  event: string;
  detail?: Record<string, unknown>;
}

export interface BundleCounts {
  posts: number;
  versions: number;
  deletedPosts: number;
  heldPosts: number;
  reactions: number;
  attachments: number;
  conversations: number;
  auditEvents: number;
}

export interface FinishedBundle {
  /** The ZIP, complete and fsynced, at its final path. */
  zipPath: string;
  sizeBytes: number;
  sha256: string;
  manifestSha256: string;
  counts: BundleCounts;
}
