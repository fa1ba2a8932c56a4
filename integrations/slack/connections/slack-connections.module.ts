import { Module, OnModuleInit } from '@nestjs/common';
import { GroupsModule } from '../../../src/groups/groups.module.js';
import { IdentityModule } from '../../../src/identity/identity.module.js';
import { JobRegistry } from '../../../src/jobs/job-registry.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { PostCreatedHooks } from '../../../src/posts/post-created-hooks.js';
import { PostsModule } from '../../../src/posts/posts.module.js';
import { SecretBox } from '../../../src/sso/oidc/secret-box.js';
import { SlackMessageRepository } from '../mirror/slack-message.repository.js';
import { SlackMirror } from '../mirror/slack-mirror.service.js';
import { SlackMirrorProcessor } from '../mirror/slack-mirror.processor.js';
import { SlackInstallations, SlackLinks } from '../slack.types.js';
import { SlackAdminController } from './slack-admin.controller.js';
import { SlackInstallationRepository } from './slack-installation.repository.js';
import { SlackInstallationService } from './slack-installation.service.js';
import { SlackLinkService } from './slack-link.service.js';
import { SlackOAuthController } from './slack-oauth.controller.js';
import { SlackOAuthState } from './slack-oauth-state.js';
import { SlackWebApi } from './slack-web-api.js';

/**
 * Connected Slack workspaces (OAuth v2 or bot token), channel ↔ group links, their admin API,
 * and mirroring new posts of linked groups into Slack. Gives the inbound side SlackInstallations,
 * SlackLinks and SlackWebApi.
 */
@Module({
  imports: [IdentityModule, GroupsModule, PostsModule],
  controllers: [SlackAdminController, SlackOAuthController],
  providers: [
    SlackInstallationRepository,
    SlackInstallationService,
    SlackLinkService,
    SlackOAuthState,
    SlackWebApi,
    SecretBox,
    SlackMessageRepository,
    SlackMirror,
    SlackMirrorProcessor,
    { provide: SlackInstallations, useExisting: SlackInstallationService },
    { provide: SlackLinks, useExisting: SlackLinkService },
  ],
  exports: [SlackInstallations, SlackLinks, SlackWebApi],
})
export class SlackConnectionsModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobRegistry,
    private readonly postHooks: PostCreatedHooks,
    private readonly mirror: SlackMirror,
    private readonly processor: SlackMirrorProcessor,
  ) {}

  onModuleInit(): void {
    this.jobs.register(JobName.SlackMirrorPost, (data) => this.processor.run(data));
    this.postHooks.register('slack-mirror', {
      prepare: (tx, _auth, post) => this.mirror.linksFor(tx, post),
      run: (auth, post, links) => this.mirror.onPostCreated(auth, post, links ?? []),
    });
  }
}
