import { PageTitle } from '../components/common';

/** SAML and OIDC settings, SP metadata, IdP metadata import, group links. */
export function AdminSsoPage() {
  return <PageTitle>AdminSso</PageTitle>;
}
