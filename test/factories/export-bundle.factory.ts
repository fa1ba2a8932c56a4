import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { attachmentBundlePath } from '../../src/compliance/exports/bundle/bundle-paths.js';
import { ed25519ManifestSigner } from '../../src/compliance/exports/bundle/bundle-signing.js';
import type { BundleContext, ExportAttachment, ExportFormat, ExportPost, ExportUser } from '../../src/compliance/exports/bundle/bundle.types.js';

/** Synthetic export records for bundle tests (no database). */
export function newExportUser(name: string): ExportUser {
  const id = randomUUID();
  return { id, email: `${name.toLowerCase().replace(/[^a-z]/g, '')}@example.test`, displayName: name, handle: name.toLowerCase() };
}

export function newBundleContext(formats: ExportFormat[] = ['jsonl', 'csv', 'eml', 'rsmf', 'attachments', 'audit']): BundleContext {
  return {
    exportId: randomUUID(),
    org: { id: randomUUID(), slug: 'acme', name: 'Acme Ltd' },
    requestedBy: newExportUser('Carla Counsel'),
    requestedAt: '2026-03-01T09:00:00.000Z',
    filters: { from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
    formats,
    softwareVersion: '0.1.0-test',
    host: 'test-host',
    attempt: 1,
    auditHead: null,
  };
}

export function newSigner() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return ed25519ManifestSigner(privateKey);
}

export function newExportPost(author: ExportUser, at: string, body: string, over: Partial<ExportPost> = {}): ExportPost {
  const id = over.id ?? randomUUID();
  return {
    id,
    threadId: id,
    parentId: null,
    group: null,
    author,
    body,
    createdAt: at,
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    pinnedAt: null,
    onHold: false,
    versions: [{ version: 1, body, editedBy: author.id, createdAt: at }],
    reactions: [],
    mentions: [],
    hashtags: [],
    attachments: [],
    source: { kind: 'web', ref: null, provenance: null },
    ...over,
  };
}

export function newExportAttachment(fileName: string, content: Buffer, contentType = 'application/octet-stream'): ExportAttachment {
  const att = { id: randomUUID(), fileName, contentType, sizeBytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), path: null as string | null };
  att.path = attachmentBundlePath(att);
  return att;
}
