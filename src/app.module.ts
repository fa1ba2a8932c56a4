import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { AuditModule } from './audit/audit.module.js';
import { LoggerModule } from './common/logger.module.js';
import { runtimeDataSourceOptions } from './database/data-source.js';
import { ComplianceModule } from './compliance/compliance.module.js';
import { SlackModule } from '../integrations/slack/slack.module.js';
import { EmailModule } from '../integrations/email/email.module.js';
import { FollowsModule } from './follows/follows.module.js';
import { GroupsModule } from './groups/groups.module.js';
import { PostsModule } from './posts/posts.module.js';
import { StreamsModule } from './streams/streams.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { JobsModule, type ProcessRole } from './jobs/jobs.module.js';
import { RedisModule } from './redis/redis.module.js';
import { SearchModule } from './search/search.module.js';
import { ScimModule } from './sso/scim/scim.module.js';
import { SamlModule } from './sso/saml/saml.module.js';
import { OidcModule } from './sso/oidc/oidc.module.js';
import { TenancyModule } from './tenancy/tenancy.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
  role: ProcessRole;
}

/** The modular monolith: the same module graph serves HTTP, runs jobs and backs the CLI. */
@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, logger, role }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        TypeOrmModule.forRoot(runtimeDataSourceOptions(databaseUrl, config.env.DATABASE_POOL_SIZE)),
        RedisModule.forRoot(config.env.REDIS_URL),
        JobsModule.forRoot(config.env.REDIS_URL, config.env.REDIS_PREFIX, role),
        TenancyModule,
        AuditModule,
        IdentityModule,
        GroupsModule,
        PostsModule,
        AttachmentsModule,
        StreamsModule,
        FollowsModule,
        SearchModule,
        SamlModule,
        ScimModule,
        OidcModule,
        ComplianceModule,
        SlackModule,
        EmailModule,
        ...(role === 'api' ? [HealthModule] : []),
      ],
    };
  }
}
