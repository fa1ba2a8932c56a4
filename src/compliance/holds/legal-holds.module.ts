import { Module } from '@nestjs/common';
import { LegalHoldRepository } from './legal-hold.repository.js';
import { LegalHoldService } from './legal-hold.service.js';
import { LegalHoldsController } from './legal-holds.controller.js';

@Module({
  controllers: [LegalHoldsController],
  providers: [LegalHoldRepository, LegalHoldService],
  exports: [LegalHoldService],
})
export class LegalHoldsModule {}
