import { Controller, Get, Param, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { notFound } from '../../common/domain-error.js';
import { Public } from '../../identity/auth-context.js';
import { resourceTypes, schemas, serviceProviderConfig } from './scim-discovery.js';
import { ScimExceptionFilter } from './scim-exception.filter.js';
import { ScimBase } from './scim-request.js';
import { listResponse } from './scim-resources.js';
import { ScimGuard } from './scim.guard.js';

/** ServiceProviderConfig, ResourceTypes and Schemas (behind the SCIM token like the rest). */
@Public()
@ApiExcludeController()
@UseGuards(ScimGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2')
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  config(@ScimBase() base: string) {
    return serviceProviderConfig(base);
  }

  @Get('ResourceTypes')
  resourceTypes(@ScimBase() base: string) {
    const all = resourceTypes(base);
    return listResponse(all, all.length, 1);
  }

  @Get('ResourceTypes/:id')
  resourceType(@ScimBase() base: string, @Param('id') id: string) {
    const found = resourceTypes(base).find((r) => r.id === id);
    if (!found) throw notFound('Resource type');
    return found;
  }

  @Get('Schemas')
  schemas(@ScimBase() base: string) {
    const all = schemas(base);
    return listResponse(all, all.length, 1);
  }

  @Get('Schemas/:id')
  schema(@ScimBase() base: string, @Param('id') id: string) {
    const found = schemas(base).find((s) => s.id === id);
    if (!found) throw notFound('Schema');
    return found;
  }
}
