import { Global, Module } from '@nestjs/common';
import { OrgController } from './org.controller.js';
import { OrgRepository } from './org.repository.js';
import { OrgService } from './org.service.js';
import { TenantDatabase } from './tenant-database.js';

@Global()
@Module({
  controllers: [OrgController],
  providers: [TenantDatabase, OrgRepository, OrgService],
  exports: [TenantDatabase, OrgService],
})
export class TenancyModule {}
