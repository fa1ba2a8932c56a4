import { Injectable } from '@nestjs/common';
import type { PasswordLoginPolicy } from '../../identity/password-login-policy.js';
import { UserService } from '../../identity/user.service.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import { SamlConfigRepository } from './saml-config.repository.js';

/** When an org has SAML enabled and required, local passwords remain only for break-glass users. */
@Injectable()
export class SsoPasswordLoginPolicy implements PasswordLoginPolicy {
  constructor(
    private readonly db: TenantDatabase,
    private readonly configs: SamlConfigRepository,
    private readonly users: UserService,
  ) {}

  async allows(orgId: string, userId: string): Promise<boolean> {
    const config = await this.db.withOrg(orgId, (tx) => this.configs.get(tx));
    if (!config?.enabled || !config.ssoRequired) return true;
    return this.users.isBreakGlass(orgId, userId);
  }
}
