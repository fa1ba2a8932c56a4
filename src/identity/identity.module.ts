import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { CredentialPurge } from './credential-purge.js';
import { CredentialRepository } from './credential.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { OrgProvisioningService } from './org-provisioning.service.js';
import { TokenService } from './token.service.js';
import { TokensController } from './tokens.controller.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';
import { UsersController } from './users.controller.js';

@Module({
  controllers: [AuthController, UsersController, TokensController],
  providers: [
    UserRepository,
    CredentialRepository,
    UserService,
    AuthService,
    TokenService,
    LoginThrottle,
    OrgProvisioningService,
    CredentialPurge,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UserService, TokenService, OrgProvisioningService, AuthService],
})
export class IdentityModule {}
