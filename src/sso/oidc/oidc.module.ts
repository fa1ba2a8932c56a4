import { Module } from '@nestjs/common';
import { GroupsModule } from '../../groups/groups.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { OidcAdminController } from './oidc-admin.controller.js';
import { OidcConfigRepository } from './oidc-config.repository.js';
import { OidcConfigService } from './oidc-config.service.js';
import { OidcLoginService } from './oidc-login.service.js';
import { OidcStateStore } from './oidc-state.store.js';
import { OidcController } from './oidc.controller.js';
import { SecretBox } from './secret-box.js';
import { SsoUserProvisioning } from '../sso-user-provisioning.js';
import { SignInOptionsController } from '../sign-in-options.controller.js';
import { SamlConfigRepository } from '../saml/saml-config.repository.js';

/** Per-org OpenID Connect sign-in, beside SAML. */
@Module({
  imports: [IdentityModule, GroupsModule],
  controllers: [OidcController, OidcAdminController, SignInOptionsController],
  providers: [SamlConfigRepository, OidcConfigRepository, OidcConfigService, OidcLoginService, OidcStateStore, SecretBox, SsoUserProvisioning],
})
export class OidcModule {}
