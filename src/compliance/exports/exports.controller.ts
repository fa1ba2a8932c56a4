import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { UuidParam } from '../../common/uuid-param.pipe.js';
import { CurrentAuth, Roles, type AuthContext } from '../../identity/auth-context.js';
import { CreateExportDto } from './dto/export.dto.js';
import { ExportService } from './export.service.js';
import { ExportSigningService } from './export-signing.service.js';

/** Compliance exports: compliance role only (admins who are not compliance get 403). */
@ApiTags('compliance')
@Roles('compliance')
@Controller('api/v1/compliance')
export class ExportsController {
  constructor(
    private readonly exports: ExportService,
    private readonly signing: ExportSigningService,
  ) {}

  @Post('exports')
  @HttpCode(202)
  @ApiOperation({ summary: 'Request an export bundle; it is built by a background job (poll GET …/exports/:id)' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateExportDto) {
    return this.exports.request(auth, body);
  }

  @Get('exports')
  @ApiOperation({ summary: 'Exports of the org, newest first' })
  list(@CurrentAuth() auth: AuthContext, @Query() q: PageQueryDto) {
    return this.exports.list(auth, q.limit, q.cursor);
  }

  @Get('exports/:id')
  @ApiOperation({ summary: 'Status, percent done and counts of one export' })
  get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.exports.get(auth, id);
  }

  @Get('exports/:id/download')
  @ApiProduces('application/zip')
  @ApiOperation({ summary: 'The signed ZIP bundle (audited)' })
  async download(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Res() res: Response): Promise<void> {
    const bundle = await this.exports.open(auth, id);
    res.attachment(bundle.fileName);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Length', String(bundle.sizeBytes));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Digest', `sha-256=${Buffer.from(bundle.sha256, 'hex').toString('base64')}`);
    res.setHeader('X-Content-SHA256', bundle.sha256);
    bundle.stream.on('error', () => (res.headersSent ? res.destroy() : res.status(410).end()));
    bundle.stream.pipe(res);
  }

  @Get('export-key')
  @ApiOperation({ summary: "The org's Ed25519 public key that signs export manifests" })
  key(@CurrentAuth() auth: AuthContext) {
    return this.signing.publicKey(auth.orgId);
  }
}
