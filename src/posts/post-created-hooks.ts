import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../identity/auth-context.js';
import type { PostItem } from './post.types.js';

/** Work another module does once a new post has committed (e.g. the Slack bridge mirroring it). */
export type PostCreatedHook = (auth: AuthContext, post: PostItem) => Promise<void>;

/**
 * The extension point for reacting to new posts without PostsModule knowing who listens:
 * modules register on init; PostService runs every hook after the commit, and a failing hook is
 * logged, never failing the post.
 */
@Injectable()
export class PostCreatedHooks {
  private readonly hooks: Array<{ name: string; run: PostCreatedHook }> = [];

  register(name: string, run: PostCreatedHook): void {
    if (this.hooks.some((h) => h.name === name)) throw new Error(`Post-created hook ${name} is registered twice`);
    this.hooks.push({ name, run });
  }

  list(): ReadonlyArray<{ name: string; run: PostCreatedHook }> {
    return this.hooks;
  }
}
