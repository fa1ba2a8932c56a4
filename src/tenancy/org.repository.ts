import { Injectable } from '@nestjs/common';
import type { OrgTx, UnscopedTx } from './tenant-database.js';

export interface OrgSettings {
  /** Longest post body, in characters. */
  maxPostLength: number;
  /** Who may start posts in the company-wide stream (replies are open to everyone). */
  companyPosting: 'everyone' | 'admins';
  /** Email to a group's secret posting address is accepted without DKIM/DMARC alignment. */
  emailSecretAddresses: boolean;
}

export const DEFAULT_ORG_SETTINGS: OrgSettings = { maxPostLength: 2000, companyPosting: 'everyone', emailSecretAddresses: false };

export interface OrgRow {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
  settings: OrgSettings;
}

@Injectable()
export class OrgRepository {
  /** The one cross-org read: a slug to its org, through a SECURITY DEFINER function. */
  async findBySlug(tx: UnscopedTx, slug: string): Promise<OrgRow | null> {
    const rows = await tx.query<OrgRow>(`SELECT id, slug, name, '{}'::jsonb AS settings FROM org_lookup_by_slug($1)`, [slug]);
    return rows[0] ?? null;
  }

  async listIds(tx: UnscopedTx): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(`SELECT id FROM org_list_ids() AS id`);
    return rows.map((r) => r.id);
  }

  /** `tx` is already scoped to the new org's id, so RLS's WITH CHECK accepts the row. */
  async insert(tx: OrgTx, slug: string, name: string): Promise<OrgRow> {
    const rows = await tx.query<OrgRow>(
      `INSERT INTO org (id, slug, name) VALUES ($1, $2, $3) RETURNING id, slug, name, created_at AS "createdAt"`,
      [tx.orgId, slug, name],
    );
    return { ...rows[0], settings: DEFAULT_ORG_SETTINGS };
  }

  async get(tx: OrgTx): Promise<OrgRow | null> {
    const rows = await tx.query<OrgRow>(`SELECT id, slug, name, created_at AS "createdAt", settings FROM org WHERE id = $1`, [tx.orgId]);
    return rows[0] ? { ...rows[0], settings: { ...DEFAULT_ORG_SETTINGS, ...rows[0].settings } } : null;
  }

  async update(tx: OrgTx, name: string | undefined, settings: Partial<OrgSettings>): Promise<void> {
    await tx.query(`UPDATE org SET name = coalesce($2, name), settings = settings || $3::jsonb WHERE id = $1`, [
      tx.orgId,
      name ?? null,
      JSON.stringify(settings),
    ]);
  }
}
