import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The fields of an audit row that its hash covers, in the form they are stored. */
export interface ChainedFields {
  orgId: string;
  seq: number;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
  prevHash: string | null;
}

/** SHA-256 over the RFC 8785 canonical JSON of the row, including the previous row's hash. */
export function auditHash(f: ChainedFields): string {
  // Picked field by field: a row read back also carries its own `hash`, which must not be covered.
  const canonical = canonicalize({
    orgId: f.orgId,
    seq: f.seq,
    id: f.id,
    occurredAt: f.occurredAt,
    actorType: f.actorType,
    actorId: f.actorId,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    ip: f.ip,
    requestId: f.requestId,
    data: f.data,
    prevHash: f.prevHash,
  });
  if (canonical === undefined) throw new Error('audit row cannot be canonicalised');
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainBreak {
  seq: number;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';
}

/** Walks rows in seq order; the caller feeds batches and keeps the state between them. */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash: string | null = null;
  checked = 0;

  check(row: ChainedFields & { hash: string }): ChainBreak | null {
    if (row.seq !== this.expectedSeq) return { seq: this.expectedSeq, reason: 'sequence_gap' };
    if (row.prevHash !== this.prevHash) return { seq: row.seq, reason: 'prev_hash_mismatch' };
    if (auditHash(row) !== row.hash) return { seq: row.seq, reason: 'hash_mismatch' };
    this.prevHash = row.hash;
    this.expectedSeq++;
    this.checked++;
    return null;
  }
}
