import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { RetentionPolicyRepository } from './retention-policy.repository.js';
import { RetentionSweepRepository } from './retention-sweep.repository.js';
import { RetentionSweeper } from './retention-sweeper.js';
import { RetentionController } from './retention.controller.js';
import { RetentionService } from './retention.service.js';

/** Retention policies, the preview and the sweep (jobs ScheduleRetentionSweeps and RetentionSweep). */
@Module({
  imports: [AttachmentsModule],
  controllers: [RetentionController],
  providers: [RetentionPolicyRepository, RetentionSweepRepository, RetentionService, RetentionSweeper],
  exports: [RetentionService, RetentionSweeper],
})
export class RetentionModule {}
