/** The Chorus API from the browser: same origin, session cookie, CSRF header on writes, problem+json errors. */

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: Array<{ field: string; messages: string[] }>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `Request failed (${problem.status})`);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API says the session is gone (401), so the app can show the sign-in page. */
export function onSessionLost(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const problem: Problem =
      data && typeof data === 'object' && 'code' in data ? (data as Problem) : { status: res.status, code: 'http_error', detail: `Request failed (${res.status})` };
    if (res.status === 401 && !path.startsWith('/api/v1/auth/') && onSignedOut) onSignedOut();
    throw new ApiError(problem);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T = void>(path: string) => api<T>('DELETE', path);

/** `?a=1&b=x` from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// Shapes the UI reads (the OpenAPI document at /api/docs has every field).

export interface UserSummary {
  id: string;
  displayName: string;
  handle: string;
  title: string | null;
}

export interface User extends UserSummary {
  email: string;
  department: string | null;
  role: 'member' | 'admin' | 'compliance';
  status: 'active' | 'deactivated';
  createdAt: string;
}

export interface Org {
  id: string;
  slug: string;
  name: string;
  settings: { maxPostLength: number; companyPosting: 'everyone' | 'admins'; emailSecretAddresses: boolean };
}

export interface Me {
  user: User;
  org: Org;
  authMethod: 'session' | 'token';
  csrfToken: string | null;
}

export interface Attachment {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

export interface Post {
  id: string;
  body: string;
  parentId: string | null;
  source: string;
  version: number;
  replyCount: number;
  createdAt: string;
  editedAt: string | null;
  pinnedAt: string | null;
  author: UserSummary;
  group: { id: string; name: string; visibility: string } | null;
  reactions: Record<string, number>;
  myReactions: string[];
  attachments: Attachment[];
}

export interface Group {
  id: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  archivedAt: string | null;
  memberCount: number;
  myRole: 'owner' | 'member' | null;
}

export const REACTIONS: Array<{ kind: string; label: string; emoji: string }> = [
  { kind: 'like', label: 'Like', emoji: '👍' },
  { kind: 'celebrate', label: 'Celebrate', emoji: '🎉' },
  { kind: 'insightful', label: 'Insightful', emoji: '💡' },
  { kind: 'support', label: 'Support', emoji: '🤝' },
  { kind: 'laugh', label: 'Laugh', emoji: '😄' },
  { kind: 'question', label: 'Question', emoji: '❓' },
];
