import { DomainError } from '../../common/domain-error.js';

/** Stable codes of SAML sign-in failures; each is the `code` of the problem+json answer and the audited reason. */
export enum SsoErrorCode {
  NotConfigured = 'saml_not_configured',
  ResponseInvalid = 'saml_response_invalid',
  SignatureInvalid = 'saml_signature_invalid',
  IssuerMismatch = 'saml_issuer_mismatch',
  AudienceMismatch = 'saml_audience_mismatch',
  DestinationMismatch = 'saml_destination_mismatch',
  Expired = 'saml_expired',
  NotYetValid = 'saml_not_yet_valid',
  Replay = 'saml_replay',
  UnknownRequest = 'saml_unknown_request',
  IdpInitiatedNotAllowed = 'saml_idp_initiated_not_allowed',
  IdpError = 'saml_idp_error',
  UserUnknown = 'saml_user_unknown',
  UserDeactivated = 'saml_user_deactivated',
  UserConflict = 'saml_user_conflict',
  MetadataInvalid = 'saml_metadata_invalid',
  CertificateInvalid = 'saml_certificate_invalid',
}

const STATUS: Partial<Record<SsoErrorCode, number>> = {
  [SsoErrorCode.UserUnknown]: 403,
  [SsoErrorCode.UserConflict]: 409,
  [SsoErrorCode.MetadataInvalid]: 400,
  [SsoErrorCode.CertificateInvalid]: 400,
};

/** A SAML failure: 401 unless the code says otherwise (403 unknown user, 400 for bad admin input). */
export class SamlError extends DomainError {
  constructor(
    readonly ssoCode: SsoErrorCode,
    detail: string,
  ) {
    super(STATUS[ssoCode] ?? 401, ssoCode, detail);
  }
}
