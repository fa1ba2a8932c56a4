import { Injectable } from '@nestjs/common';
import mailauth from 'mailauth';
import { hostname } from 'node:os';
import { AppConfig } from '../../../src/config/app-config.js';
import type { EmailAuthSummary } from './email-inbound.repository.js';

/** A DNS lookup as mailauth calls it; tests inject one with no network. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export interface SenderEvidence {
  ip: string | null;
  helo: string | null;
  envelopeFrom: string | null;
}

export interface AuthVerdict {
  /** DKIM aligned with the From domain, or DMARC pass (DKIM or SPF aligned). */
  passed: boolean;
  summary: Omit<EmailAuthSummary, 'method'>;
  method: 'dkim' | 'dmarc' | null;
}

/**
 * Is the From domain vouched for? mailauth verifies every DKIM signature and evaluates DMARC (with
 * SPF when the client IP is known). A message passes when a valid DKIM signature is aligned with
 * the From domain, or DMARC passes. DNS goes through the resolver set with useResolver when there is one.
 */
@Injectable()
export class EmailAuthenticator {
  /** Unset: mailauth's own lookups through the system resolver. */
  private resolver: DnsResolver | undefined;

  constructor(private readonly config: AppConfig) {}

  /** Replaces the DNS resolver (tests; air-gapped deployments with their own DNS). */
  useResolver(resolver: DnsResolver | undefined): void {
    this.resolver = resolver;
  }

  async verify(raw: Buffer, evidence: SenderEvidence): Promise<AuthVerdict> {
    const result = await mailauth.authenticate(raw, {
      ip: evidence.ip ?? undefined,
      helo: evidence.helo ?? undefined,
      sender: evidence.envelopeFrom ?? undefined,
      mta: this.config.env.SMTP_SERVER_NAME ?? hostname(),
      resolver: this.resolver,
      disableArc: true,
      disableBimi: true,
    } as Parameters<typeof mailauth.authenticate>[1]);
    const dkim = (result.dkim?.results ?? []).map((r) => ({
      domain: r.signingDomain,
      selector: r.selector ?? null,
      result: r.status.result,
      aligned: Boolean(r.status.aligned),
    }));
    const dmarc = result.dmarc ? result.dmarc.status.result : null;
    const spf = result.spf ? result.spf.status.result : null;
    const dkimAligned = dkim.some((d) => d.result === 'pass' && d.aligned);
    const method = dkimAligned ? 'dkim' : dmarc === 'pass' ? 'dmarc' : null;
    return { passed: method !== null, method, summary: { dkim, dmarc, spf } };
  }
}
