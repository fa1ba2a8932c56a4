import type { ChainedFields } from '../../../audit/audit-chain.js';

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

/**
 * An audit event as exported (formats includes `audit`): exactly the fields its hash covers
 * (src/audit/audit-chain.ts) plus the hash, so the chain can be re-verified from the bundle.
 */
export type ExportAuditEvent = ChainedFields & { hash: string };

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
  /**
   * The org's audit chain head when the bundle was sealed. Signed into the manifest, it anchors
   * the chain outside the database: whoever holds the bundle can later show that the chain up to
   * that event was not rewritten (`audit:verify` plus a comparison of this hash).
   */
  auditHead: { seq: number; hash: string } | null;
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

/** One file of the bundle as listed in manifest.json and custody.json. */
export interface BundleFileEntry {
  path: string;
  sha256: string;
  size: number;
}

/** What manifest.json holds (written as RFC 8785 canonical JSON; `files` excludes manifest.json and manifest.sig). */
export interface BundleManifest {
  bundleFormat: 'chorus-export-bundle';
  bundleFormatVersion: 1;
  exportId: string;
  org: BundleContext['org'];
  requestedBy: ExportUser;
  requestedAt: string;
  filters: Record<string, unknown>;
  formats: ExportFormat[];
  generatedAt: string;
  softwareVersion: string;
  counts: BundleCounts;
  signingKey: { algorithm: 'Ed25519'; fingerprint: string; publicKeyPem: string };
  auditHead: { seq: number; hash: string } | null;
  files: BundleFileEntry[];
}

export type VerifyProblemKind =
  | 'missing'
  | 'hash_mismatch'
  | 'size_mismatch'
  | 'unlisted'
  | 'signature_invalid'
  | 'key_mismatch'
  | 'manifest_unreadable'
  | 'audit_chain_broken'
  | 'audit_head_mismatch';

export interface VerifyProblem {
  path: string;
  problem: VerifyProblemKind;
  expected?: string | number;
  actual?: string | number;
}

/** What `verifyBundle` (and `export:verify`) reports; it never throws on a bad bundle. */
export interface VerifyReport {
  ok: boolean;
  exportId: string | null;
  /** Files whose hash and size were checked against the manifest. */
  checked: number;
  signature: 'valid' | 'invalid' | 'missing';
  /** `manifest`: checked with the key inside the bundle, which proves integrity but not origin. */
  keySource: 'given' | 'manifest';
  note?: string;
  problems: VerifyProblem[];
  /** When the bundle holds audit.jsonl: how many events re-verified, and the last one. */
  auditChain?: { checked: number; head: { seq: number; hash: string } | null };
}
