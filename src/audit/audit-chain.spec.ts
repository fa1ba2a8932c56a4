import { auditHash, ChainVerifier, type ChainedFields } from './audit-chain.js';

function chain(n: number): (ChainedFields & { hash: string })[] {
  const rows: (ChainedFields & { hash: string })[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const fields: ChainedFields = {
      orgId: 'org-1', seq, id: `id-${seq}`, occurredAt: `2026-01-01T00:00:0${seq}.000Z`, actorType: 'user', actorId: 'u-1',
      action: 'auth.login', targetType: null, targetId: null, ip: '127.0.0.1', requestId: null,
      data: { b: seq, a: [1, 2] }, prevHash: rows[seq - 2]?.hash ?? null,
    };
    rows.push({ ...fields, hash: auditHash(fields) });
  }
  return rows;
}

const verify = (rows: (ChainedFields & { hash: string })[]) => {
  const v = new ChainVerifier();
  for (const row of rows) {
    const broken = v.check(row);
    if (broken) return broken;
  }
  return null;
};

describe('audit hash chain', () => {
  it('does not depend on key order in data (RFC 8785 canonical JSON) or on the stored hash', () => {
    const [row] = chain(1);
    expect(auditHash({ ...row, data: { a: [1, 2], b: 1 } })).toBe(row.hash);
    expect(auditHash({ ...row, hash: 'anything' } as ChainedFields)).toBe(row.hash);
  });

  it('accepts an intact chain', () => {
    expect(verify(chain(5))).toBeNull();
  });

  it('pinpoints an edited row, a re-hashed row, and a removed row', () => {
    const edited = chain(5);
    edited[2] = { ...edited[2], action: 'auth.logout' };
    expect(verify(edited)).toEqual({ seq: 3, reason: 'hash_mismatch' });

    const rehashed = chain(5);
    const forged = { ...rehashed[1], ip: '10.0.0.1' };
    rehashed[1] = { ...forged, hash: auditHash(forged) };
    expect(verify(rehashed)).toEqual({ seq: 3, reason: 'prev_hash_mismatch' });

    const removed = chain(5);
    removed.splice(3, 1);
    expect(verify(removed)).toEqual({ seq: 4, reason: 'sequence_gap' });
  });
});
