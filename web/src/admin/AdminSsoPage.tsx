import { PageTitle } from '../components/common';
import { OidcSection } from './OidcSettings';
import { SamlSection } from './SamlSettings';
import { GroupLinksSection } from './SsoGroupLinks';
import './admin.css';

/** Single sign-on: SAML (with our SP values and metadata import), OIDC, and IdP group links. */
export function AdminSsoPage() {
  return (
    <>
      <PageTitle>Single sign-on</PageTitle>
      <p className="muted">Set up one of SAML or OpenID Connect, test a sign-in, flag a break-glass admin, and only then require SSO.</p>
      <SamlSection />
      <OidcSection />
      <GroupLinksSection />
    </>
  );
}
