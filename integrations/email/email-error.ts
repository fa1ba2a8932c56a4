import { DomainError } from '../../src/common/domain-error.js';

/**
 * Stable codes of refused or failed email: each is the `code` of a problem+json answer (API and
 * webhook), the enhanced status of an SMTP refusal, and the reason recorded on the inbound row and
 * told to the sender in a bounce.
 */
export enum EmailErrorCode {
  NotConfigured = 'email_not_configured',
  RecipientUnknown = 'email_recipient_unknown',
  ReplyTokenInvalid = 'email_reply_token_invalid',
  SenderUnknown = 'email_sender_unknown',
  SenderMismatch = 'email_sender_mismatch',
  NotAuthenticated = 'email_not_authenticated',
  TooLarge = 'email_too_large',
  RateLimited = 'email_rate_limited',
  MessageInvalid = 'email_message_invalid',
  BodyEmpty = 'email_body_empty',
  AttachmentRefused = 'email_attachment_refused',
  ProcessingFailed = 'email_processing_failed',
  WebhookUnauthorized = 'email_webhook_unauthorized',
  UnsubscribeInvalid = 'email_unsubscribe_invalid',
}

const STATUS: Record<EmailErrorCode, number> = {
  [EmailErrorCode.NotConfigured]: 503,
  [EmailErrorCode.RecipientUnknown]: 404,
  [EmailErrorCode.ReplyTokenInvalid]: 404,
  [EmailErrorCode.SenderUnknown]: 403,
  [EmailErrorCode.SenderMismatch]: 403,
  [EmailErrorCode.NotAuthenticated]: 403,
  [EmailErrorCode.TooLarge]: 413,
  [EmailErrorCode.RateLimited]: 429,
  [EmailErrorCode.MessageInvalid]: 400,
  [EmailErrorCode.BodyEmpty]: 400,
  [EmailErrorCode.AttachmentRefused]: 400,
  [EmailErrorCode.ProcessingFailed]: 500,
  [EmailErrorCode.WebhookUnauthorized]: 401,
  [EmailErrorCode.UnsubscribeInvalid]: 400,
};

/** SMTP reply (code and enhanced status) for refusals made during the SMTP session. */
export const SMTP_REPLY: Partial<Record<EmailErrorCode, { code: number; enhanced: string }>> = {
  [EmailErrorCode.NotConfigured]: { code: 451, enhanced: '4.3.0' },
  [EmailErrorCode.RecipientUnknown]: { code: 550, enhanced: '5.1.1' },
  [EmailErrorCode.ReplyTokenInvalid]: { code: 550, enhanced: '5.1.1' },
  [EmailErrorCode.SenderUnknown]: { code: 550, enhanced: '5.7.1' },
  [EmailErrorCode.SenderMismatch]: { code: 550, enhanced: '5.7.1' },
  [EmailErrorCode.NotAuthenticated]: { code: 550, enhanced: '5.7.26' },
  [EmailErrorCode.TooLarge]: { code: 552, enhanced: '5.3.4' },
  [EmailErrorCode.RateLimited]: { code: 450, enhanced: '4.7.1' },
  [EmailErrorCode.MessageInvalid]: { code: 550, enhanced: '5.6.0' },
};

/** An email refused or failed for a reason the sender can act on. */
export class EmailError extends DomainError {
  constructor(
    readonly emailCode: EmailErrorCode,
    detail: string,
    extra?: Record<string, unknown>,
  ) {
    super(STATUS[emailCode], emailCode, detail, extra);
  }
}
