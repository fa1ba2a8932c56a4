import { parse, type Filter } from 'scim2-parse-filter';
import { invalidFilter } from './scim-error.js';
import { SCIM_MAX_FILTER_LENGTH } from './scim-schemas.js';

/** Equality constraints from a filter, by lower-cased attribute path (`emails.value`). */
export type Equalities = Map<string, string>;

/**
 * Parses a SCIM filter and accepts what identity providers send to find a resource before
 * creating it: `eq` comparisons joined by `and`, including value paths such as
 * `emails[type eq "work"].value eq "…"` and `members[value eq "…"]`. Anything else (or, not,
 * other operators) is a 400 invalidFilter rather than a silently wrong answer.
 */
export function parseEqualities(expression: string, allowed: readonly string[]): Equalities {
  if (expression.length > SCIM_MAX_FILTER_LENGTH) throw invalidFilter(`A filter is at most ${SCIM_MAX_FILTER_LENGTH} characters`);
  let ast: Filter;
  try {
    ast = parse(expression);
  } catch (error) {
    throw invalidFilter(`The filter cannot be parsed: ${(error as Error).message}`);
  }
  const found: Equalities = new Map();
  collect(ast, '', found);
  for (const path of found.keys()) {
    if (!allowed.includes(path)) throw invalidFilter(`Filtering on "${path}" is not supported; use ${allowed.join(', ')}`);
  }
  return found;
}

function collect(f: Filter, prefix: string, into: Equalities): void {
  switch (f.op) {
    case 'and':
      for (const part of (f as { filters: Filter[] }).filters) collect(part, prefix, into);
      return;
    case '[]': {
      const vp = f as { attrPath: string; valFilter: Filter };
      collect(vp.valFilter, `${prefix}${vp.attrPath.toLowerCase()}.`, into);
      return;
    }
    case 'eq': {
      const cmp = f as { attrPath: string; compValue: unknown };
      if (typeof cmp.compValue !== 'string') throw invalidFilter(`"${cmp.attrPath}" must be compared with a quoted string`);
      const path = `${prefix}${stripUserUrn(cmp.attrPath).toLowerCase()}`;
      const previous = into.get(path);
      // Two different values for one attribute match nothing; the caller sees a conflict marker.
      into.set(path, previous !== undefined && previous.toLowerCase() !== cmp.compValue.toLowerCase() ? CONFLICT : cmp.compValue);
      return;
    }
    default:
      throw invalidFilter(`The "${f.op}" operator is not supported; use "eq" and "and"`);
  }
}

/** A value no attribute can hold: the filter asked for two different values of one attribute. */
export const CONFLICT = '\u0000conflict';

/** `urn:ietf:params:scim:schemas:core:2.0:User:userName` is the same attribute as `userName`. */
function stripUserUrn(path: string): string {
  return path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, '');
}
