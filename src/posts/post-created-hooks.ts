import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../identity/auth-context.js';
import type { OrgTx } from '../tenancy/tenant-database.js';
import type { PostItem } from './post.types.js';

/**
 * Work another module does once a new post has committed (e.g. the Slack bridge mirroring it).
 * `prepare`, when given, reads what the hook needs inside the creating transaction (one more
 * statement there instead of a transaction of its own after the commit); its result is handed to
 * `run`, which runs after the commit.
 */
export interface PostCreatedHook<T = unknown> {
  prepare?: (tx: OrgTx, auth: AuthContext, post: PostItem) => Promise<T>;
  run: (auth: AuthContext, post: PostItem, prepared: T | undefined) => Promise<void>;
}

interface Registered {
  name: string;
  hook: PostCreatedHook;
}

/**
 * The extension point for reacting to new posts without PostsModule knowing who listens:
 * modules register on init; PostService runs every hook after the commit, and a failing hook is
 * logged, never failing the post.
 */
@Injectable()
export class PostCreatedHooks {
  private readonly hooks: Registered[] = [];

  register<T>(name: string, hook: PostCreatedHook<T>): void {
    if (this.hooks.some((h) => h.name === name)) throw new Error(`Post-created hook ${name} is registered twice`);
    this.hooks.push({ name, hook: hook as PostCreatedHook });
  }

  list(): ReadonlyArray<Registered> {
    return this.hooks;
  }
}
