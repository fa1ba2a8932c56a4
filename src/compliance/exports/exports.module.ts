import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { SecretBox } from '../../sso/oidc/secret-box.js';
import { ExportReader } from './export-reader.js';
import { ExportRepository } from './export.repository.js';
import { ExportRunner } from './export-runner.js';
import { ExportService } from './export.service.js';
import { ExportSigningService } from './export-signing.service.js';
import { ExportsController } from './exports.controller.js';

@Module({
  imports: [AttachmentsModule],
  controllers: [ExportsController],
  providers: [ExportRepository, ExportReader, ExportService, ExportSigningService, ExportRunner, SecretBox],
  exports: [ExportService, ExportSigningService],
})
export class ExportsModule {}
