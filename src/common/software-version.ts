import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | null = null;

/**
 * "chorus <version>" from the nearest package.json above the working directory (the app always
 * runs from its root: `npm start`, the image's WORKDIR, the tests).
 */
export function softwareVersion(): string {
  if (cached !== null) return cached;
  let dir = process.cwd();
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'chorus') return (cached = `chorus ${pkg.version ?? 'unknown'}`);
    } catch {
      // no package.json here: look further up
    }
    const up = dirname(dir);
    if (up === dir) return (cached = 'chorus unknown');
    dir = up;
  }
}
