import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../config/app-config.js';
import { AttachmentRepository } from './attachment.repository.js';
import { AttachmentService } from './attachment.service.js';
import { AttachmentStorage, LocalDiskStorage } from './attachment-storage.js';
import { AttachmentsController } from './attachments.controller.js';

@Module({
  imports: [
    // No storage or dest: multer keeps the file in memory, bounded by fileSize, until the
    // service has checked its type; only accepted files reach AttachmentStorage.
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        limits: { fileSize: config.env.ATTACHMENT_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 11 },
        defParamCharset: 'utf8',
      }),
    }),
  ],
  controllers: [AttachmentsController],
  providers: [
    AttachmentRepository,
    AttachmentService,
    { provide: AttachmentStorage, inject: [AppConfig], useFactory: (config: AppConfig) => new LocalDiskStorage(config.env.ATTACHMENT_DIR) },
  ],
  exports: [AttachmentService, AttachmentStorage],
})
export class AttachmentsModule {}
