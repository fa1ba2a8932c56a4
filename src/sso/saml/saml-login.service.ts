import { Injectable } from '@nestjs/common';
import { SsoUserProvisioning, type SsoAttributes } from '../sso-user-provisioning.js';
import { generateServiceProviderMetadata, SAML, SamlStatusError, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { inflateRawSync } from 'node:zlib';
import type { Actor } from '../../common/actor.js';
import { DomainError } from '../../common/domain-error.js';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { GroupService } from '../../groups/group.service.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { AuthService } from '../../identity/auth.service.js';
import type { UserView } from '../../identity/user.service.js';
import { OrgService } from '../../tenancy/org.service.js';
import type { OrgRow } from '../../tenancy/org.repository.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import { SamlConfigService, type ServiceProviderUrls } from './saml-config.service.js';
import type { SamlAttributeMapping, SamlConfigRow } from './saml-config.repository.js';
import { SamlError, SsoErrorCode } from './saml-error.js';
import { safeRelayState } from './relay-state.js';
import { REQUEST_TTL_MS, SamlStateStore } from './saml-state.store.js';
import { SsoThrottle, SsoThrottled } from '../sso-throttle.js';

/** Clock difference tolerated between us and the IdP on NotBefore / NotOnOrAfter. */
export const CLOCK_SKEW_MS = 60_000;
/** Assertions without NotOnOrAfter are remembered (against replay) this long. */
const DEFAULT_ASSERTION_LIFETIME_MS = 10 * 60_000;

const ASSERTION_NS = { saml: 'urn:oasis:names:tc:SAML:2.0:assertion', samlp: 'urn:oasis:names:tc:SAML:2.0:protocol' };
const select = xpath.useNamespaces(ASSERTION_NS);

export interface SamlClient {
  ip: string;
  userAgent: string | null;
  actor: Actor;
}

/** A message arriving at the single logout service, as the binding delivered it. */
export type SloMessage = { binding: 'redirect'; rawQuery: string } | { binding: 'post'; form: Record<string, string> };

/** Query-string signature algorithms accepted on HTTP-Redirect LogoutRequests. */
const REDIRECT_SIG_ALGS = new Set(['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512']);

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export interface SamlLoginResult {
  session: { sessionToken: string; csrfToken: string; expiresAt: Date };
  redirectTo: string;
}

/**
 * SAML 2.0 Web Browser SSO for one org at a time, with @node-saml/node-saml used directly
 * (signature, InResponseTo, time and audience checks). On top of it: Destination and
 * Recipient, one use per assertion id, IdP-initiated only when allowed, and the user rules.
 */
@Injectable()
export class SamlLoginService {
  constructor(
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly configs: SamlConfigService,
    private readonly state: SamlStateStore,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly groups: GroupService,
    private readonly throttle: SsoThrottle,
    private readonly provisioning: SsoUserProvisioning,
  ) {}

  /** Where to send the browser: the IdP's SSO URL with a fresh AuthnRequest (its id remembered for InResponseTo). */
  async loginRedirect(orgSlug: string, relayState: unknown): Promise<string> {
    const { org, config } = await this.enabledConfig(orgSlug);
    const saml = this.samlFor(org, config);
    return saml.getAuthorizeUrlAsync(safeRelayState(relayState) ?? '', undefined, {});
  }

  /** SP metadata: available before SAML is configured, since the IdP needs it first. */
  async metadata(orgSlug: string): Promise<string> {
    const org = await this.orgs.findBySlug(orgSlug);
    if (!org) throw notConfigured();
    const config = await this.db.withOrg(org.id, (tx) => this.configs.find(tx));
    const sp = this.configs.serviceProvider(org.slug, config);
    return generateServiceProviderMetadata({
      issuer: sp.entityId,
      callbackUrl: sp.acsUrl,
      logoutCallbackUrl: sp.sloUrl,
      identifierFormat: EMAIL_FORMAT,
      wantAssertionsSigned: false,
    });
  }

  /**
   * SP-initiated single logout. The session (if any) has already been resolved from the cookie;
   * it ends here whatever happens next. When it was started by SAML for this org and the org has
   * an IdP SLO URL, returns that URL with a LogoutRequest (NameID + SessionIndex); else null.
   */
  async logoutRedirect(orgSlug: string, session: AuthContext | null): Promise<string | null> {
    if (!session) return null;
    const link = await this.auth.logoutSamlSession(session);
    if (!link) return null;
    const org = await this.orgs.findBySlug(orgSlug);
    if (!org || org.id !== session.orgId) return null;
    const config = await this.db.withOrg(org.id, (tx) => this.configs.find(tx));
    if (!config?.enabled || !config.idpSloUrl) return null;
    const user = {
      issuer: config.idpEntityId,
      nameID: link.nameId,
      nameIDFormat: link.nameIdFormat ?? EMAIL_FORMAT,
      ...(link.sessionIndex ? { sessionIndex: link.sessionIndex } : {}),
    } as Profile;
    return this.samlFor(org, config).getLogoutUrlAsync(user, '', {});
  }

  /**
   * The single logout service. A LogoutRequest from the IdP (either binding) must be signed by a
   * configured certificate, come from the configured issuer, be addressed to this org's SLO URL,
   * be recent and unseen; then every session started for its NameID (and SessionIndex) ends and
   * the answer is the URL of a Success LogoutResponse. A LogoutResponse (answering our request)
   * is validated and the answer is `/`.
   */
  async slo(orgSlug: string, message: SloMessage, actor: Actor): Promise<{ status: 302 | 303; location: string }> {
    const { org, config } = await this.enabledConfig(orgSlug);
    const sp = this.configs.serviceProvider(org.slug, config);
    const saml = this.samlFor(org, config);
    const params = message.binding === 'redirect' ? redirectParams(message.rawQuery) : postParams(message.form);

    if (params.kind === 'SAMLRequest') {
      let xml: string;
      let profile: Profile | null;
      try {
        if (message.binding === 'redirect') {
          // node-saml accepts a redirect-bound message without a signature: we do not.
          if (!params.signature || !params.sigAlg) throw new SamlError(SsoErrorCode.SignatureInvalid, 'The LogoutRequest is not signed');
          if (!REDIRECT_SIG_ALGS.has(params.sigAlg)) throw new SamlError(SsoErrorCode.SignatureInvalid, 'The LogoutRequest is signed with an algorithm we do not accept');
          xml = inflate(params.value);
          ({ profile } = await saml.validateRedirectAsync(params.container, params.signedQuery));
        } else {
          xml = Buffer.from(params.value, 'base64').toString('utf8');
          ({ profile } = await saml.validatePostRequestAsync({ SAMLRequest: params.value }));
        }
      } catch (error) {
        throw error instanceof SamlError ? error : classify(error, 'LogoutRequest');
      }
      if (!profile?.nameID || typeof profile.ID !== 'string') throw new SamlError(SsoErrorCode.ResponseInvalid, 'The LogoutRequest names no user');
      const root = checkLogoutMessage(xml, 'LogoutRequest', sp);
      const issuedAt = Date.parse(root.getAttribute('IssueInstant') ?? '');
      if (!Number.isFinite(issuedAt) || issuedAt > Date.now() + CLOCK_SKEW_MS) throw new SamlError(SsoErrorCode.NotYetValid, 'The LogoutRequest is issued in the future');
      if (issuedAt < Date.now() - REQUEST_TTL_MS - CLOCK_SKEW_MS) throw new SamlError(SsoErrorCode.Expired, 'The LogoutRequest is too old');
      if (!(await this.state.firstUseOfAssertion(org.id, `logout:${profile.ID}`, issuedAt + REQUEST_TTL_MS + 2 * CLOCK_SKEW_MS))) {
        throw new SamlError(SsoErrorCode.Replay, 'This LogoutRequest has been used already');
      }
      const sessionIndex = typeof profile.sessionIndex === 'string' && profile.sessionIndex.length > 0 ? profile.sessionIndex : null;
      const system: Actor = { ...actor, type: 'system', userId: null, role: null };
      await this.auth.revokeSamlSessions(org.id, system, profile.nameID, sessionIndex);
      const relayState = params.relayState ?? '';
      return { status: 302, location: await saml.getLogoutResponseUrlAsync(profile, relayState, {}, true) };
    }

    // node-saml looks for InResponseTo on a <Response> only; it is checked below for a LogoutResponse.
    const forResponse = this.samlFor(org, config, ValidateInResponseTo.ifPresent);
    let root: Element;
    try {
      if (message.binding === 'redirect') {
        root = checkLogoutMessage(inflate(params.value), 'LogoutResponse', sp, config.idpEntityId);
        await forResponse.validateRedirectAsync(params.container, params.signedQuery);
      } else {
        root = checkLogoutMessage(Buffer.from(params.value, 'base64').toString('utf8'), 'LogoutResponse', sp, config.idpEntityId);
        await forResponse.validatePostResponseAsync({ SAMLResponse: params.value });
      }
    } catch (error) {
      throw error instanceof SamlError ? error : classify(error, 'LogoutResponse');
    }
    // It must answer a LogoutRequest we sent, once.
    const inResponseTo = root.getAttribute('InResponseTo');
    if (!inResponseTo || (await this.state.requestIds(org.id).removeAsync(inResponseTo)) === null) {
      throw new SamlError(SsoErrorCode.UnknownRequest, 'The LogoutResponse answers no LogoutRequest of ours');
    }
    return { status: 303, location: '/' };
  }

  /** The ACS: validates a posted SAMLResponse and starts a session; every refusal is audited with its reason. */
  async acs(orgSlug: string, form: Record<string, unknown>, client: SamlClient): Promise<SamlLoginResult> {
    const org = await this.orgs.findBySlug(orgSlug);
    try {
      await this.throttle.consume(client.ip);
    } catch (error) {
      // One event per IP and window: a flood must not fill the audit log.
      if (org && error instanceof SsoThrottled && error.firstRefusal) {
        await this.audit.recordStandalone(org.id, client.actor, { action: AuditAction.SsoLoginThrottled, data: { protocol: 'saml' } });
      }
      throw error;
    }
    if (!org) throw notConfigured();
    try {
      return await this.acsForOrg(org, form, client);
    } catch (error) {
      if (error instanceof DomainError) {
        await this.audit.recordStandalone(org.id, client.actor, {
          action: AuditAction.SsoLoginFailed,
          data: { protocol: 'saml', reason: error.code, detail: error.message },
        });
      }
      throw error;
    }
  }

  private async acsForOrg(org: OrgRow, form: Record<string, unknown>, client: SamlClient): Promise<SamlLoginResult> {
    const config = await this.db.withOrg(org.id, (tx) => this.configs.find(tx));
    if (!config?.enabled) throw notConfigured();
    const sp = this.configs.serviceProvider(org.slug, config);
    const response = form.SAMLResponse;
    if (typeof response !== 'string' || response.length === 0) throw new SamlError(SsoErrorCode.ResponseInvalid, 'SAMLResponse is missing');

    const saml = this.samlFor(org, config);
    let profile: Profile | null;
    try {
      ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: response }));
    } catch (error) {
      throw classify(error);
    }
    if (!profile) throw new SamlError(SsoErrorCode.ResponseInvalid, 'The response carries no assertion');

    const checked = checkAddressing(response, profile.getAssertionXml?.() ?? '', sp);
    // A request id answers once: the assertion-id check below covers the same response posted twice.
    if (typeof profile.inResponseTo === 'string') await this.state.requestIds(org.id).removeAsync(profile.inResponseTo);
    if (!(await this.state.firstUseOfAssertion(org.id, checked.assertionId, checked.notOnOrAfterMs))) {
      throw new SamlError(SsoErrorCode.Replay, 'This assertion has been used already');
    }

    const user = await this.provision(org, config, profile, client.actor);
    const groupsAttribute = config.attributeMapping.groups;
    if (groupsAttribute) {
      const system: Actor = { ...client.actor, type: 'system', userId: null, role: null };
      await this.groups.syncSsoGroups(org.id, system, user.id, attributeValues(profile, groupsAttribute));
    }
    const session = await this.auth.startSession(org.id, user.id, client, 'saml', {
      nameId: profile.nameID,
      nameIdFormat: profile.nameIDFormat ?? null,
      sessionIndex: profile.sessionIndex ?? null,
    });
    return { session, redirectTo: safeRelayState(form.RelayState) ?? '/' };
  }

  /** The linked (or same-email) user with the IdP's attributes applied, or a new one when JIT is on. */
  private provision(org: OrgRow, config: SamlConfigRow, profile: Profile, actor: Actor): Promise<UserView> {
    return this.provisioning.provision(org.id, actor, { protocol: 'saml', key: profile.nameID }, config, mappedAttributes(profile, config.attributeMapping), {
      deactivated: () => new SamlError(SsoErrorCode.UserDeactivated, 'This user is deactivated'),
      unknownUser: () => new SamlError(SsoErrorCode.UserUnknown, 'No user in this organisation matches the assertion, and just-in-time creation is off'),
      noEmail: () => new SamlError(SsoErrorCode.ResponseInvalid, 'The assertion has no email to create the user with'),
      conflict: (code) => new SamlError(SsoErrorCode.UserConflict, `The IdP's attributes clash with another user (${code})`),
    });
  }


  private async enabledConfig(orgSlug: string): Promise<{ org: OrgRow; config: SamlConfigRow }> {
    const org = await this.orgs.findBySlug(orgSlug);
    const config = org && (await this.db.withOrg(org.id, (tx) => this.configs.find(tx)));
    if (!org || !config?.enabled) throw notConfigured();
    return { org, config };
  }

  private samlFor(org: OrgRow, config: SamlConfigRow, validateInResponseTo?: ValidateInResponseTo): SAML {
    const sp = this.configs.serviceProvider(org.slug, config);
    return new SAML({
      issuer: sp.entityId,
      audience: sp.entityId,
      callbackUrl: sp.acsUrl,
      entryPoint: config.idpSsoUrl,
      // Where LogoutRequests and LogoutResponses go; node-saml falls back to the SSO URL.
      ...(config.idpSloUrl ? { logoutUrl: config.idpSloUrl } : {}),
      idpIssuer: config.idpEntityId,
      idpCert: config.idpCerts,
      // Either the Response or the Assertion must carry a valid signature by a configured certificate.
      wantAuthnResponseSigned: false,
      wantAssertionsSigned: false,
      validateInResponseTo: validateInResponseTo ?? (config.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always),
      requestIdExpirationPeriodMs: REQUEST_TTL_MS,
      cacheProvider: this.state.requestIds(org.id),
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      disableRequestedAuthnContext: true,
    });
  }
}

const notConfigured = () => new SamlError(SsoErrorCode.NotConfigured, 'SAML sign-in is not set up for this organisation');

/** node-saml reports failures as plain Errors; map their messages to our stable codes. */
function classify(error: unknown, what = 'response'): SamlError {
  if (error instanceof SamlStatusError) return new SamlError(SsoErrorCode.IdpError, 'The identity provider refused the sign-in');
  const message = error instanceof Error ? error.message : String(error);
  const rules: [RegExp, SsoErrorCode][] = [
    [/Bad status code/, SsoErrorCode.IdpError],
    [/InResponseTo is missing/, SsoErrorCode.IdpInitiatedNotAllowed],
    [/InResponseTo/i, SsoErrorCode.UnknownRequest],
    [/signature|Cannot obtain assertion/i, SsoErrorCode.SignatureInvalid],
    [/issuer/i, SsoErrorCode.IssuerMismatch],
    [/audience/i, SsoErrorCode.AudienceMismatch],
    [/not yet valid/i, SsoErrorCode.NotYetValid],
    [/expired|No valid subject confirmation/i, SsoErrorCode.Expired],
  ];
  const code = rules.find(([re]) => re.test(message))?.[1] ?? SsoErrorCode.ResponseInvalid;
  return new SamlError(code, `The SAML ${what} was refused: ${message.slice(0, 200)}`);
}

type SloParams = {
  kind: 'SAMLRequest' | 'SAMLResponse';
  value: string;
  relayState: string | null;
  signature: string | null;
  sigAlg: string | null;
  /** What node-saml's redirect validation reads, decoded from exactly the tokens below. */
  container: Record<string, string>;
  /** The signed tokens, still URL-encoded as sent, in the order the signature covers them. */
  signedQuery: string;
};

/**
 * An HTTP-Redirect message read from the raw query string by exact parameter name; a parameter
 * sent twice is refused, so what is validated is exactly what was signed.
 */
function redirectParams(rawQuery: string): SloParams {
  const tokens = new Map<string, string>();
  for (const token of rawQuery.split('&')) {
    if (token.length === 0) continue;
    const eq = token.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? token : token.slice(0, eq));
    if (tokens.has(name)) throw new SamlError(SsoErrorCode.ResponseInvalid, `The ${name} parameter is repeated`);
    tokens.set(name, token);
  }
  const decoded = (name: string): string | null => {
    const token = tokens.get(name);
    if (token === undefined) return null;
    const eq = token.indexOf('=');
    return eq < 0 ? '' : decodeURIComponent(token.slice(eq + 1).replace(/\+/g, ' '));
  };
  const request = decoded('SAMLRequest');
  const response = decoded('SAMLResponse');
  if ((request === null) === (response === null) || (request ?? response) === '') {
    throw new SamlError(SsoErrorCode.ResponseInvalid, 'Send exactly one SAMLRequest or SAMLResponse');
  }
  const kind = request !== null ? 'SAMLRequest' : 'SAMLResponse';
  const relayState = decoded('RelayState');
  const signature = decoded('Signature');
  const sigAlg = decoded('SigAlg');
  const container: Record<string, string> = { [kind]: (request ?? response)! };
  if (relayState !== null) container.RelayState = relayState;
  if (signature !== null) container.Signature = signature;
  if (sigAlg !== null) container.SigAlg = sigAlg;
  const signedQuery = [kind, 'RelayState', 'SigAlg'].map((n) => tokens.get(n)).filter((t): t is string => t !== undefined).join('&');
  return { kind, value: container[kind], relayState, signature, sigAlg, container, signedQuery };
}

function postParams(form: Record<string, string>): SloParams {
  const request = form.SAMLRequest;
  const response = form.SAMLResponse;
  if ((typeof request === 'string' && request.length > 0) === (typeof response === 'string' && response.length > 0)) {
    throw new SamlError(SsoErrorCode.ResponseInvalid, 'Post exactly one SAMLRequest or SAMLResponse');
  }
  const kind = request ? 'SAMLRequest' : 'SAMLResponse';
  const value = (request || response)!;
  return { kind, value, relayState: form.RelayState ?? null, signature: null, sigAlg: null, container: { [kind]: value }, signedQuery: '' };
}

function inflate(base64: string): string {
  try {
    return inflateRawSync(Buffer.from(base64, 'base64')).toString('utf8');
  } catch {
    throw new SamlError(SsoErrorCode.ResponseInvalid, 'The SAML message is not deflated base64');
  }
}

/**
 * Checks node-saml leaves to us on a logout message: the root element is what we expect and its
 * Destination is this org's SLO URL (required: the message is signed); for a LogoutResponse also
 * the issuer, since node-saml checks it only on the redirect binding.
 */
function checkLogoutMessage(xml: string, expected: 'LogoutRequest' | 'LogoutResponse', sp: ServiceProviderUrls, issuer?: string): Element {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  if (!root || root.localName !== expected || root.namespaceURI !== ASSERTION_NS.samlp) {
    throw new SamlError(SsoErrorCode.ResponseInvalid, `Expected a ${expected}`);
  }
  if (root.getAttribute('Destination') !== sp.sloUrl) {
    throw new SamlError(SsoErrorCode.DestinationMismatch, `The ${expected} is addressed to another endpoint (Destination)`);
  }
  if (issuer !== undefined) {
    const found = (select('/samlp:LogoutResponse/saml:Issuer/text()', doc) as Node[]).map((n) => n.nodeValue?.trim());
    if (found.length !== 1 || found[0] !== issuer) throw new SamlError(SsoErrorCode.IssuerMismatch, `The ${expected} comes from another issuer`);
    const status = (select('/samlp:LogoutResponse/samlp:Status/samlp:StatusCode/@Value', doc) as Attr[]).map((a) => a.value);
    if (status[0] !== 'urn:oasis:names:tc:SAML:2.0:status:Success') throw new SamlError(SsoErrorCode.IdpError, 'The identity provider did not complete the logout');
  }
  return root;
}

/**
 * Checks node-saml leaves to us, on the verified assertion: the bearer SubjectConfirmationData's
 * Recipient must be our ACS; the Response's Destination, when present, too. Also returns the
 * assertion id and how long to remember it.
 */
function checkAddressing(responseBase64: string, assertionXml: string, sp: ServiceProviderUrls): { assertionId: string; notOnOrAfterMs: number } {
  const response = parseXml(Buffer.from(responseBase64, 'base64').toString('utf8'));
  const destination = response.documentElement?.getAttribute('Destination');
  if (destination && destination !== sp.acsUrl) {
    throw new SamlError(SsoErrorCode.DestinationMismatch, 'The response is addressed to another endpoint (Destination)');
  }
  const assertion = parseXml(assertionXml);
  const root = assertion.documentElement;
  const assertionId = root?.getAttribute('ID');
  if (!root || !assertionId) throw new SamlError(SsoErrorCode.ResponseInvalid, 'The assertion has no ID');
  const recipients = (select("/saml:Assertion/saml:Subject/saml:SubjectConfirmation[@Method='urn:oasis:names:tc:SAML:2.0:cm:bearer']/saml:SubjectConfirmationData/@Recipient", assertion) as Attr[]).map((a) => a.value);
  if (recipients.length === 0 || recipients.some((r) => r !== sp.acsUrl)) {
    throw new SamlError(SsoErrorCode.DestinationMismatch, 'The assertion is meant for another endpoint (Recipient)');
  }
  const limits = (select('/saml:Assertion/saml:Conditions/@NotOnOrAfter | /saml:Assertion/saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData/@NotOnOrAfter', assertion) as Attr[])
    .map((a) => Date.parse(a.value))
    .filter((t) => Number.isFinite(t));
  const notOnOrAfterMs = (limits.length > 0 ? Math.max(...limits) : Date.now() + DEFAULT_ASSERTION_LIFETIME_MS) + CLOCK_SKEW_MS;
  return { assertionId, notOnOrAfterMs };
}

function parseXml(xml: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: (m) => errors.push(String(m)), fatalError: (m) => errors.push(String(m)) } })
    .parseFromString(xml, 'application/xml');
  if (errors.length > 0 || !doc) throw new SamlError(SsoErrorCode.ResponseInvalid, 'The SAML response is not well-formed XML');
  return doc as unknown as Document;
}

/** Every value of a multi-valued attribute (the IdP's groups); none when it is absent. */
function attributeValues(profile: Profile, name: string): string[] {
  const raw = (profile as Record<string, unknown>)[name];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(values.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v.length > 0))];
}

const HANDLE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$/;

/** Profile fields from the assertion per the org's mapping; the email falls back to an email-shaped NameID. */
function mappedAttributes(profile: Profile, mapping: SamlAttributeMapping): SsoAttributes {
  const read = (name: string | undefined, max: number): string | undefined => {
    if (!name) return undefined;
    const raw = name === 'nameID' ? profile.nameID : (profile as Record<string, unknown>)[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return typeof value === 'string' && value.trim().length > 0 ? value.trim().slice(0, max) : undefined;
  };
  const email = read(mapping.email ?? 'email', 254) ?? (/^[^@\s]+@[^@\s]+$/.test(profile.nameID) ? profile.nameID : undefined);
  const handle = read(mapping.handle, 40);
  return {
    email,
    displayName: read(mapping.displayName, 100),
    handle: handle && HANDLE.test(handle) ? handle : undefined,
    title: read(mapping.title, 200),
    department: read(mapping.department, 200),
  };
}
