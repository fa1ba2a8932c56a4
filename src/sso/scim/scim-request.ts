import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { invalidValue } from './scim-error.js';
import { SCIM_MAX_RESULTS } from './scim-schemas.js';
import type { ScimContext, ScimRequest } from './scim.guard.js';

/** The SCIM caller that ScimGuard resolved. */
export const CurrentScim = createParamDecorator((_data: unknown, ctx: ExecutionContext): ScimContext => {
  const scim = ctx.switchToHttp().getRequest<ScimRequest>().scim;
  if (!scim) throw new Error('CurrentScim used without ScimGuard');
  return scim;
});

/** `https://host/scim/v2`, for `meta.location` (honours X-Forwarded-* when TRUST_PROXY is on). */
export const ScimBase = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/scim/v2`;
});

export interface ScimListQuery {
  filter?: string;
  startIndex: number;
  count: number;
  excludedAttributes?: string;
}

/** RFC 7644 §3.4.2.4: startIndex below 1 counts as 1, count below 0 as 0; count is capped. */
export function listQuery(q: Record<string, unknown>): ScimListQuery {
  const filter = single(q.filter, 'filter');
  return {
    filter: filter === undefined || filter.trim() === '' ? undefined : filter,
    startIndex: Math.max(1, integer(single(q.startIndex, 'startIndex'), 'startIndex', 1)),
    count: Math.min(SCIM_MAX_RESULTS, Math.max(0, integer(single(q.count, 'count'), 'count', SCIM_MAX_RESULTS))),
    excludedAttributes: single(q.excludedAttributes, 'excludedAttributes'),
  };
}

export function excludes(excludedAttributes: string | undefined, attribute: string): boolean {
  return (excludedAttributes ?? '').split(',').some((a) => a.trim().toLowerCase() === attribute);
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidValue(`${name} must be given once`);
  return value;
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d{1,9}$/.test(value.trim())) throw invalidValue(`${name} must be an integer`);
  return Number(value);
}
