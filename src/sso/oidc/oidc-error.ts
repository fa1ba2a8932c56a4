import { DomainError } from '../../common/domain-error.js';

/** Stable codes of OIDC sign-in failures; each is the `code` of the problem+json answer and the audited reason. */
export enum OidcErrorCode {
  NotConfigured = 'oidc_not_configured',
  StateInvalid = 'oidc_state_invalid',
  TokenInvalid = 'oidc_token_invalid',
  EmailUnverified = 'oidc_email_unverified',
  UserUnknown = 'oidc_user_unknown',
  UserDeactivated = 'oidc_user_deactivated',
  UserConflict = 'oidc_user_conflict',
  ProviderError = 'oidc_provider_error',
  SecretsKeyMissing = 'secrets_key_missing',
}

const STATUS: Partial<Record<OidcErrorCode, number>> = {
  [OidcErrorCode.UserUnknown]: 403,
  [OidcErrorCode.UserConflict]: 409,
  [OidcErrorCode.SecretsKeyMissing]: 500,
};

/** An OIDC failure: 401 unless the code says otherwise (403 unknown user, 409 clash). */
export class OidcError extends DomainError {
  constructor(
    readonly oidcCode: OidcErrorCode,
    detail: string,
  ) {
    super(STATUS[oidcCode] ?? 401, oidcCode, detail);
  }
}
