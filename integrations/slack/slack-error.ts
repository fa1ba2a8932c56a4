import { DomainError } from '../../src/common/domain-error.js';

/**
 * Stable codes of Slack failures: connections (install, OAuth) and refused deliveries. Each is the
 * `code` of the problem+json answer or the error recorded on the inbox row.
 */
export enum SlackErrorCode {
  TokenInvalid = 'slack_token_invalid',
  TeamConnectedElsewhere = 'slack_team_connected_elsewhere',
  OAuthNotConfigured = 'slack_oauth_not_configured',
  OAuthStateInvalid = 'slack_oauth_state_invalid',
  OAuthFailed = 'slack_oauth_failed',
  SignatureInvalid = 'slack_signature_invalid',
  NotConfigured = 'slack_not_configured',
  PayloadInvalid = 'slack_payload_invalid',
  UserUnknown = 'slack_user_unknown',
  UserDeactivated = 'slack_user_deactivated',
  GroupUnknown = 'slack_group_unknown',
}

const STATUS: Record<SlackErrorCode, number> = {
  [SlackErrorCode.TokenInvalid]: 400,
  [SlackErrorCode.TeamConnectedElsewhere]: 409,
  [SlackErrorCode.OAuthNotConfigured]: 501,
  [SlackErrorCode.OAuthStateInvalid]: 400,
  [SlackErrorCode.OAuthFailed]: 502,
  [SlackErrorCode.SignatureInvalid]: 401,
  [SlackErrorCode.NotConfigured]: 401,
  [SlackErrorCode.PayloadInvalid]: 400,
  [SlackErrorCode.UserUnknown]: 403,
  [SlackErrorCode.UserDeactivated]: 403,
  [SlackErrorCode.GroupUnknown]: 404,
};

/** A Slack request, delivery or connection refused for a reason the caller (or Slack user) can act on. */
export class SlackError extends DomainError {
  constructor(
    readonly slackCode: SlackErrorCode,
    detail: string,
  ) {
    super(STATUS[slackCode], slackCode, detail);
  }
}
