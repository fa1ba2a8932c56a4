import { get, query, type Group, type Page, type User } from '../api';

/** Up to `max` items of a cursor-paged list, for pickers (users, groups). */
async function collect<T>(path: string, params: Record<string, string | boolean | undefined>, max = 500): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<Page<T>>(`${path}${query({ ...params, limit: 100, cursor })}`);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}

export const allUsers = () => collect<User>('/api/v1/users', {});
export const allGroups = (includeArchived = true) => collect<Group>('/api/v1/groups', { includeArchived });

export const ROLES: Array<{ value: User['role']; label: string }> = [
  { value: 'member', label: 'Member' },
  { value: 'admin', label: 'Admin' },
  { value: 'compliance', label: 'Compliance' },
];

/** `<input type="date">` value → ISO instant at the start of that day, UTC. */
export function dayStart(day: string): string {
  return new Date(`${day}T00:00:00Z`).toISOString();
}

/** The instant just after the given day (UTC): for inclusive "to" dates sent as exclusive bounds. */
export function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
}

/** ISO instant → `<input type="date">` value (UTC). */
export function toDay(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().slice(0, 10) : '';
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

/** The values of a `<select multiple>`. */
export function selectedValues(select: HTMLSelectElement): string[] {
  return Array.from(select.selectedOptions, (o) => o.value);
}
