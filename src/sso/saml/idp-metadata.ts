import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { SamlError, SsoErrorCode } from './saml-error.js';

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  sloUrl: string | null;
  signingCerts: string[];
}

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const select = xpath.useNamespaces({ md: 'urn:oasis:names:tc:SAML:2.0:metadata', ds: 'http://www.w3.org/2000/09/xmldsig#' });

const invalid = (detail: string) => new SamlError(SsoErrorCode.MetadataInvalid, detail);

/**
 * The parts of an IdP's SAML metadata we configure from: entityID, the SSO (and SLO) endpoint
 * for the HTTP-Redirect binding our AuthnRequests use, and the signing certificates. The first
 * IdP EntityDescriptor wins when an aggregate (EntitiesDescriptor) is pasted.
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m) => errors.push(String(m)), fatalError: (m) => errors.push(String(m)) },
  }).parseFromString(xml, 'application/xml');
  if (errors.length > 0 || !doc?.documentElement) throw invalid(`The metadata is not well-formed XML: ${errors[0] ?? 'empty'}`);

  const entity = select('(//md:EntityDescriptor[md:IDPSSODescriptor])[1]', doc, true) as Element | undefined;
  if (!entity) throw invalid('No EntityDescriptor with an IDPSSODescriptor found');
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw invalid('The EntityDescriptor has no entityID');

  const location = (service: string): string | null => {
    const node = select(`md:IDPSSODescriptor/md:${service}[@Binding='${REDIRECT}']/@Location`, entity, true) as Attr | undefined;
    return node?.value ?? null;
  };
  const ssoUrl = location('SingleSignOnService');
  if (!ssoUrl || !/^https?:\/\//i.test(ssoUrl)) throw invalid('No SingleSignOnService with the HTTP-Redirect binding');

  const certNodes = select(
    "md:IDPSSODescriptor/md:KeyDescriptor[not(@use) or @use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()",
    entity,
  ) as Text[];
  const signingCerts = [...new Set(certNodes.map((n) => n.data.replace(/\s+/g, '')).filter((c) => c.length > 0))];
  if (signingCerts.length === 0) throw invalid('No signing certificate in the IDPSSODescriptor');
  return { entityId, ssoUrl, sloUrl: location('SingleLogoutService'), signingCerts };
}
