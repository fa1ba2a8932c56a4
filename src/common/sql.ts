/** Escapes LIKE/ILIKE wildcards in user input (Postgres' default escape character is \). */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
