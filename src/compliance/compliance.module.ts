import { Module } from '@nestjs/common';
import { ExportsModule } from './exports/exports.module.js';
import { LegalHoldsModule } from './holds/legal-holds.module.js';
import { RetentionModule } from './retention/retention.module.js';

/**
 * Compliance: retention policies and the sweep, legal holds, export bundles. Every endpoint is
 * for the `compliance` role only (an admin who is not compliance gets 403).
 */
@Module({ imports: [RetentionModule, LegalHoldsModule, ExportsModule] })
export class ComplianceModule {}
