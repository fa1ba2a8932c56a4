/**
 * A failure the client can act on. `code` is stable and documented; the HTTP status and the
 * problem+json body come from here, so services never build HTTP responses.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} not found`);
export const forbidden = (detail = 'You are not allowed to do this') => new DomainError(403, 'forbidden', detail);
export const conflict = (code: string, detail: string) => new DomainError(409, code, detail);
export const badRequest = (code: string, detail: string, extra: Record<string, unknown> = {}) => new DomainError(400, code, detail, extra);

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** A foreign-key violation (e.g. a reply whose root was purged a moment ago), optionally of one constraint. */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23503' && (constraint === undefined || name === constraint);
}
