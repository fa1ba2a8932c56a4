/** Who is doing something, and from where; services pass it to the audit log. */
export interface Actor {
  type: 'user' | 'cli' | 'system' | 'scim';
  userId: string | null;
  role: 'member' | 'admin' | 'compliance' | null;
  ip: string | null;
  requestId: string | null;
}

export const cliActor = (): Actor => ({ type: 'cli', userId: null, role: null, ip: null, requestId: null });
export const systemActor = (): Actor => ({ type: 'system', userId: null, role: null, ip: null, requestId: null });
