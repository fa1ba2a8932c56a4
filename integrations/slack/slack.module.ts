import { Module } from '@nestjs/common';
import { SlackConnectionsModule } from './connections/slack-connections.module.js';
import { SlackInboundModule } from './inbound/slack-inbound.module.js';

/**
 * The Slack bridge (issue 6): people post, reply, edit and delete in Chorus from Slack, and
 * linked groups are mirrored into their Slack channels.
 */
@Module({ imports: [SlackConnectionsModule, SlackInboundModule] })
export class SlackModule {}
