import type { Org } from '../api';
import { useMe } from '../session';

/** The org's posting rules, as /api/v1/me gave them (the session refreshes after an admin changes them). */
export function useOrgSettings(): Org['settings'] {
  return useMe().org.settings;
}
