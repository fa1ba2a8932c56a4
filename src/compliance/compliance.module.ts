import { Module } from '@nestjs/common';
import { ExportsModule } from './exports/exports.module.js';
import { RetentionModule } from './retention/retention.module.js';

/**
 * Compliance: retention policies and the sweep, legal holds, export bundles. Every endpoint is
 * for the `compliance` role only (an admin who is not compliance gets 403).
 */
@Module({ imports: [RetentionModule, ExportsModule] })
export class ComplianceModule {}
