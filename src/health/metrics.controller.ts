import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, register } from 'prom-client';
import { Public } from '../identity/auth-context.js';

// @willsoto/nestjs-prometheus is CommonJS requiring ESM-only Nest 12, which Jest on Node 20
// cannot load; prom-client's registry is served directly instead.
let defaultsCollected = false;

/** Prometheus scrape endpoint. Expose it only inside the cluster network (see deploy/). */
@ApiExcludeController()
@Controller('metrics')
@Public()
export class MetricsController {
  constructor() {
    if (!defaultsCollected) {
      collectDefaultMetrics({ prefix: 'chorus_' });
      defaultsCollected = true;
    }
  }

  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
