import { Injectable } from '@nestjs/common';
import { SsoUserProvisioning, type SsoAttributes } from '../sso-user-provisioning.js';
import { GroupService } from '../../groups/group.service.js';
import * as oidc from 'openid-client';
import type { Actor } from '../../common/actor.js';
import { DomainError } from '../../common/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { AuthService } from '../../identity/auth.service.js';
import type { UserView } from '../../identity/user.service.js';
import { OrgService } from '../../tenancy/org.service.js';
import type { OrgRow } from '../../tenancy/org.repository.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import { safeRelayState } from '../saml/relay-state.js';
import type { OidcClaimMapping, OidcConfigRow } from './oidc-config.repository.js';
import { OidcConfigService } from './oidc-config.service.js';
import { OidcError, OidcErrorCode } from './oidc-error.js';
import { OidcStateStore } from './oidc-state.store.js';

/** Provider metadata (and with it the JWKS cache) is reused this long per org and settings version. */
const DISCOVERY_TTL_MS = 10 * 60_000;

export interface OidcClient {
  ip: string;
  userAgent: string | null;
  actor: Actor;
}

export interface OidcLoginStart {
  authorizationUrl: string;
  /** Also set as a cookie: the callback must come back to the browser that started the login. */
  state: string;
}

export interface OidcLoginResult {
  session: { sessionToken: string; csrfToken: string; expiresAt: Date };
  redirectTo: string;
}

/**
 * OpenID Connect sign-in per org: authorization code with PKCE (S256), state and nonce, via
 * openid-client, which checks the ID token's signature (provider JWKS), issuer, audience,
 * nonce and expiry. On top: state bound to the browser and usable once, the email_verified
 * rule, and the same user rules (link, JIT, sync, deactivated) as SAML.
 */
@Injectable()
export class OidcLoginService {
  private readonly discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

  constructor(
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly configs: OidcConfigService,
    private readonly state: OidcStateStore,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly appConfig: AppConfig,
    private readonly groups: GroupService,
    private readonly provisioning: SsoUserProvisioning,
  ) {}

  async start(orgSlug: string, returnTo: unknown): Promise<OidcLoginStart> {
    const { org, config } = await this.enabledConfig(orgSlug);
    const client = await this.client(org, config);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.state.put(org.id, state, { codeVerifier, nonce, returnTo: safeRelayState(returnTo) });
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: this.configs.relyingParty(org.slug).redirectUri,
      scope: config.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { authorizationUrl: url.href, state };
  }

  /** The redirect back from the provider; every refusal is audited with its reason. */
  async callback(orgSlug: string, query: Record<string, unknown>, browserState: string | null, client: OidcClient): Promise<OidcLoginResult> {
    const org = await this.orgs.findBySlug(orgSlug);
    if (!org) throw notConfigured();
    try {
      return await this.callbackForOrg(org, query, browserState, client);
    } catch (error) {
      if (error instanceof DomainError) {
        await this.audit.recordStandalone(org.id, client.actor, {
          action: AuditAction.SsoLoginFailed,
          data: { protocol: 'oidc', reason: error.code, detail: error.message },
        });
      }
      throw error;
    }
  }

  private async callbackForOrg(org: OrgRow, query: Record<string, unknown>, browserState: string | null, client: OidcClient): Promise<OidcLoginResult> {
    const config = await this.db.withOrg(org.id, (tx) => this.configs.find(tx));
    if (!config?.enabled) throw notConfigured();
    const state = query.state;
    // Checked before the pending login is taken, so a forged callback cannot burn someone else's state.
    if (typeof state !== 'string' || state.length === 0 || state !== browserState) {
      throw new OidcError(OidcErrorCode.StateInvalid, 'The state does not match a sign-in started in this browser');
    }
    const pending = await this.state.take(org.id, state);
    if (!pending) throw new OidcError(OidcErrorCode.StateInvalid, 'The sign-in has expired or was completed already');
    if (typeof query.error === 'string') {
      throw new OidcError(OidcErrorCode.ProviderError, `The provider refused the sign-in: ${query.error}${typeof query.error_description === 'string' ? ` (${query.error_description.slice(0, 200)})` : ''}`);
    }

    const rp = await this.client(org, config);
    const currentUrl = new URL(this.configs.relyingParty(org.slug).redirectUri);
    for (const [k, v] of Object.entries(query)) if (typeof v === 'string') currentUrl.searchParams.set(k, v);
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(rp, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new OidcError(OidcErrorCode.TokenInvalid, 'The token response has no ID token');
      // Many providers put profile claims only in userinfo for the code flow; the ID token wins where both have one.
      const userinfo = rp.serverMetadata().userinfo_endpoint && tokens.access_token
        ? await oidc.fetchUserInfo(rp, tokens.access_token, idClaims.sub)
        : {};
      claims = { ...userinfo, ...idClaims };
    } catch (error) {
      throw classify(error);
    }

    if (claims.email_verified === false || claims.email_verified === 'false') {
      throw new OidcError(OidcErrorCode.EmailUnverified, 'The provider says this email address is not verified');
    }
    const user = await this.provision(org, config, `${String(claims.iss)}#${String(claims.sub)}`, mappedClaims(claims, config.claimMapping), client.actor);
    if (config.claimMapping.groups) {
      const system: Actor = { ...client.actor, type: 'system', userId: null, role: null };
      await this.groups.syncSsoGroups(org.id, system, user.id, claimValues(claims, config.claimMapping.groups));
    }
    const session = await this.auth.startSession(org.id, user.id, client, 'oidc');
    return { session, redirectTo: pending.returnTo ?? '/' };
  }

  /** The linked (or same-email) user with the provider's claims applied, or a new one when JIT is on. */
  private provision(org: OrgRow, config: OidcConfigRow, subject: string, attrs: SsoAttributes, actor: Actor): Promise<UserView> {
    return this.provisioning.provision(org.id, actor, { protocol: 'oidc', key: subject }, config, attrs, {
      deactivated: () => new OidcError(OidcErrorCode.UserDeactivated, 'This user is deactivated'),
      unknownUser: () => new OidcError(OidcErrorCode.UserUnknown, 'No user in this organisation matches the ID token, and just-in-time creation is off'),
      noEmail: () => new OidcError(OidcErrorCode.TokenInvalid, 'The provider sent no email to create the user with'),
      conflict: (code) => new OidcError(OidcErrorCode.UserConflict, `The provider's claims clash with another user (${code})`),
    });
  }


  private async enabledConfig(orgSlug: string): Promise<{ org: OrgRow; config: OidcConfigRow }> {
    const org = await this.orgs.findBySlug(orgSlug);
    const config = org && (await this.db.withOrg(org.id, (tx) => this.configs.find(tx)));
    if (!org || !config?.enabled) throw notConfigured();
    return { org, config };
  }

  /** The provider's discovered metadata for this org's settings, cached; a failed discovery is not cached. */
  private async client(org: OrgRow, config: OidcConfigRow): Promise<oidc.Configuration> {
    const key = `${org.id}:${config.updatedAt.getTime()}`;
    const cached = this.discovered.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    for (const [k] of this.discovered) if (k.startsWith(`${org.id}:`)) this.discovered.delete(k);
    const issuer = new URL(config.issuerUrl);
    if (issuer.protocol !== 'https:' && this.appConfig.env.NODE_ENV === 'production') {
      throw new OidcError(OidcErrorCode.ProviderError, 'The issuer URL must use https');
    }
    const secret = this.configs.clientSecret(config);
    const pending = oidc
      .discovery(issuer, config.clientId, undefined, secret === null ? oidc.None() : oidc.ClientSecretBasic(secret), {
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((error: unknown) => {
        this.discovered.delete(key);
        throw new OidcError(OidcErrorCode.ProviderError, `The provider's configuration could not be read: ${describe(error)}`);
      });
    this.discovered.set(key, { at: Date.now(), config: pending });
    return pending;
  }
}

const notConfigured = () => new OidcError(OidcErrorCode.NotConfigured, 'OIDC sign-in is not set up for this organisation');

function describe(error: unknown): string {
  const e = error as { message?: string; code?: string; error?: string; error_description?: string; cause?: unknown };
  // openid-client wraps oauth4webapi's error, whose message names the failed check (e.g. the "nonce" claim).
  const cause = e.cause instanceof Error ? e.cause.message : undefined;
  return [e.code, e.error, e.error_description ?? e.message, cause].filter(Boolean).join(': ').slice(0, 300);
}

/** openid-client errors to our codes: what the provider refused vs what failed our checks. */
function classify(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof oidc.AuthorizationResponseError) return new OidcError(OidcErrorCode.ProviderError, `The provider refused the sign-in: ${describe(error)}`);
  if (error instanceof oidc.ResponseBodyError) {
    // invalid_grant: the code is unknown, used, expired, issued to another client or for another PKCE verifier.
    const code = error.error === 'invalid_grant' ? OidcErrorCode.TokenInvalid : OidcErrorCode.ProviderError;
    return new OidcError(code, `The token endpoint refused the code: ${describe(error)}`);
  }
  if (error instanceof oidc.ClientError) return new OidcError(OidcErrorCode.TokenInvalid, `The provider's answer failed validation: ${describe(error)}`);
  return new OidcError(OidcErrorCode.ProviderError, `The provider could not be reached: ${describe(error)}`);
}

const HANDLE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$/;

/** Profile fields from the claims per the org's mapping (standard OIDC claim names by default). */
/** Every string of a multi-valued claim (the IdP's groups); none when it is absent. */
function claimValues(claims: Record<string, unknown>, name: string): string[] {
  const raw = claims[name];
  const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256);
}

function mappedClaims(claims: Record<string, unknown>, mapping: OidcClaimMapping): SsoAttributes {
  const read = (name: string | undefined, max: number): string | undefined => {
    if (!name) return undefined;
    const raw = claims[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return typeof value === 'string' && value.trim().length > 0 ? value.trim().slice(0, max) : undefined;
  };
  const email = read(mapping.email ?? 'email', 254);
  const handle = read(mapping.handle ?? 'preferred_username', 40);
  return {
    email: email && /^[^@\s]+@[^@\s]+$/.test(email) ? email : undefined,
    displayName: read(mapping.displayName ?? 'name', 100),
    handle: handle && HANDLE.test(handle) ? handle : undefined,
    title: read(mapping.title, 200),
    department: read(mapping.department, 200),
  };
}
