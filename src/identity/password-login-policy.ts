/**
 * Whether a user may sign in with a local password. Identity declares the question; the SSO
 * module answers it (an org that requires SSO allows passwords only for break-glass users).
 * Absent, every active user may.
 */
export const PASSWORD_LOGIN_POLICY = Symbol('PASSWORD_LOGIN_POLICY');

export interface PasswordLoginPolicy {
  allows(orgId: string, userId: string): Promise<boolean>;
}
