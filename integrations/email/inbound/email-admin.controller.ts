import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../../../src/config/app-config.js';
import { CurrentAuth, Roles, type AuthContext } from '../../../src/identity/auth-context.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { COMPANY_LOCAL, orgMailDomain } from '../email-addresses.js';

export interface EmailSetupView {
  /** Whether this server receives mail for posting (POSTING_DOMAIN is set). */
  posting: boolean;
  postingDomain: string | null;
  /** This org's mail domain: the MX records for it must point at the mail listener (or the provider). */
  orgMailDomain: string | null;
  companyAddress: string | null;
  /** A provider's inbound webhook can deliver (EMAIL_WEBHOOK_SECRET is set). */
  inboundWebhook: boolean;
  /** Notification, digest and bounce emails are sent (SMTP_URL is set). */
  outbound: boolean;
  secretAddressesSkipAuthentication: boolean;
}

/** What the email bridge looks like for this org, for the admin pages. */
@ApiTags('email')
@Controller('api/v1/admin/email')
export class EmailAdminController {
  constructor(
    private readonly config: AppConfig,
    private readonly orgs: OrgService,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Email bridge status for my org: posting domain, org mail domain, webhook and outbound mail' })
  async status(@CurrentAuth() auth: AuthContext): Promise<EmailSetupView> {
    const org = (await this.orgs.get(auth.orgId))!;
    const domain = this.config.env.POSTING_DOMAIN ?? null;
    const mailDomain = domain ? orgMailDomain(org.slug, domain) : null;
    return {
      posting: domain !== null,
      postingDomain: domain,
      orgMailDomain: mailDomain,
      companyAddress: mailDomain ? `${COMPANY_LOCAL}@${mailDomain}` : null,
      inboundWebhook: this.config.env.EMAIL_WEBHOOK_SECRET !== undefined,
      outbound: this.config.env.SMTP_URL !== undefined,
      secretAddressesSkipAuthentication: org.settings.emailSecretAddresses,
    };
  }
}
