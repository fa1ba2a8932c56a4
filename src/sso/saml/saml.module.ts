import { Global, Module } from '@nestjs/common';
import { SsoUserProvisioning } from '../sso-user-provisioning.js';
import { GroupsModule } from '../../groups/groups.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { PASSWORD_LOGIN_POLICY } from '../../identity/password-login-policy.js';
import { SamlAdminController } from './saml-admin.controller.js';
import { SamlConfigRepository } from './saml-config.repository.js';
import { SamlConfigService } from './saml-config.service.js';
import { SamlLoginService } from './saml-login.service.js';
import { SamlStateStore } from './saml-state.store.js';
import { SamlController } from './saml.controller.js';
import { SsoPasswordLoginPolicy } from './sso-password-login.policy.js';
import { SsoThrottle } from '../sso-throttle.js';

/**
 * Per-org SAML 2.0 sign-in. Global only to hand identity its password-login policy
 * (identity cannot import this module, which builds on it).
 */
@Global()
@Module({
  imports: [IdentityModule, GroupsModule],
  controllers: [SamlController, SamlAdminController],
  providers: [
    SamlConfigRepository,
    SamlConfigService,
    SamlLoginService,
    SamlStateStore,
    SsoThrottle,
    SsoUserProvisioning,
    { provide: PASSWORD_LOGIN_POLICY, useClass: SsoPasswordLoginPolicy },
  ],
  exports: [PASSWORD_LOGIN_POLICY, SsoThrottle],
})
export class SamlModule {}
