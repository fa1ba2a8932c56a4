/**
 * The role every runtime connection switches into. It owns nothing and has no BYPASSRLS,
 * so row-level security applies to it; migrations create it and grant it table rights.
 */
export const APP_DB_ROLE = 'chorus_app';
