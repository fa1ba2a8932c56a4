import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

/** A test identity provider's signing key and self-signed certificate (made by openssl). */
export interface IdpKeys {
  privateKey: string;
  certPem: string;
  /** The certificate's base64 DER, as it appears in metadata. */
  certBase64: string;
}

export function makeIdpKeys(cn = 'chorus-test-idp'): IdpKeys {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-idp-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
    const certPem = readFileSync(certPath, 'utf8');
    return { privateKey: readFileSync(keyPath, 'utf8'), certPem, certBase64: certPem.replace(/-----[A-Z ]+-----|\s+/g, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface AssertionOptions {
  issuer: string;
  audience: string;
  acsUrl: string;
  nameId: string;
  inResponseTo?: string | null;
  destination?: string | null;
  recipient?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  attributes?: Record<string, string>;
  responseId?: string;
  assertionId?: string;
  sessionIndex?: string;
}

const iso = (d: Date) => d.toISOString();

/** An unsigned SAML 2.0 Response with one bearer assertion, shaped like what Entra ID or Okta send. */
export function buildResponse(o: AssertionOptions): string {
  const now = new Date();
  const notBefore = o.notBefore ?? new Date(now.getTime() - 30_000);
  const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const inResponseTo = o.inResponseTo ? ` InResponseTo="${o.inResponseTo}"` : '';
  const destination = o.destination === null ? '' : ` Destination="${o.destination ?? o.acsUrl}"`;
  const attributes = Object.entries(o.attributes ?? {})
    .map(([name, value]) => `<saml:Attribute Name="${name}"><saml:AttributeValue>${value}</saml:AttributeValue></saml:Attribute>`)
    .join('');
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="${o.responseId ?? `_r${randomUUID()}`}" Version="2.0" IssueInstant="${iso(now)}"${destination}${inResponseTo}>` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${o.assertionId ?? `_a${randomUUID()}`}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${o.nameId}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${o.recipient ?? o.acsUrl}"${inResponseTo}/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}">` +
    `<saml:AudienceRestriction><saml:Audience>${o.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${o.sessionIndex ?? `_s${randomUUID()}`}"><saml:AuthnContext>` +
    `<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>` +
    `</saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`
  );
}

const ASSERTION = "//*[local-name(.)='Assertion']";
const RESPONSE = "/*[local-name(.)='Response']";

/** Signs (RSA-SHA256, exclusive c14n, enveloped) the assertion or the whole response, as IdPs do. */
export function sign(xml: string, keys: IdpKeys, what: 'assertion' | 'response'): string {
  const sig = new SignedXml({
    privateKey: keys.privateKey,
    publicCert: keys.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: what === 'assertion' ? ASSERTION : RESPONSE,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  const issuer = what === 'assertion' ? `${ASSERTION}/*[local-name(.)='Issuer']` : `${RESPONSE}/*[local-name(.)='Issuer']`;
  sig.computeSignature(xml, { location: { reference: issuer, action: 'after' } });
  return sig.getSignedXml();
}

export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

/** The AuthnRequest ID inside a redirect-binding Location (SAMLRequest is deflated, base64). */
export function authnRequestId(location: string): string {
  const request = new URL(location).searchParams.get('SAMLRequest')!;
  const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
  return /\sID="([^"]+)"/.exec(xml)![1];
}

/** IdP metadata as Entra ID / Okta / Keycloak publish it. */
export function idpMetadata(entityId: string, ssoUrl: string, keys: IdpKeys[]): string {
  const keyDescriptors = keys
    .map((k) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${k.certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  return (
    `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptors}` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}/logout"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}/post"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/** Adds a multi-valued attribute (e.g. the IdP's groups) to an unsigned response built by buildResponse. */
export function withAttribute(xml: string, name: string, values: string[]): string {
  const attribute = `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
  return xml.replace('</saml:AttributeStatement>', `${attribute}</saml:AttributeStatement>`);
}

export interface LogoutRequestOptions {
  issuer: string;
  destination: string | null;
  nameId: string;
  sessionIndex?: string;
  id?: string;
  issueInstant?: Date;
}

/** An unsigned SAML 2.0 LogoutRequest as an IdP sends it (IdP-initiated single logout). */
export function buildLogoutRequest(o: LogoutRequestOptions): string {
  const destination = o.destination === null ? '' : ` Destination="${o.destination}"`;
  return (
    `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="${o.id ?? `_l${randomUUID()}`}" Version="2.0" IssueInstant="${iso(o.issueInstant ?? new Date())}"${destination}>` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${o.nameId}</saml:NameID>` +
    (o.sessionIndex ? `<samlp:SessionIndex>${o.sessionIndex}</samlp:SessionIndex>` : '') +
    `</samlp:LogoutRequest>`
  );
}

/** An unsigned LogoutResponse, as an IdP answers our LogoutRequest. */
export function buildLogoutResponse(o: { issuer: string; destination: string; inResponseTo: string; status?: string }): string {
  return (
    `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_lr${randomUUID()}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${o.destination}" InResponseTo="${o.inResponseTo}">` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
    `</samlp:LogoutResponse>`
  );
}

/** Signs a protocol message's root element (HTTP-POST binding), enveloped, after its Issuer. */
export function signRoot(xml: string, keys: IdpKeys): string {
  const sig = new SignedXml({
    privateKey: keys.privateKey,
    publicCert: keys.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: '/*',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/**
 * An HTTP-Redirect binding query string: the message deflated and base64-encoded, then (with keys)
 * SigAlg and a Signature over `SAMLRequest=…&RelayState=…&SigAlg=…` with RSA-SHA256.
 */
export function redirectQuery(kind: 'SAMLRequest' | 'SAMLResponse', xml: string, keys: IdpKeys | null, relayState?: string): string {
  const parts = [`${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  if (!keys) return parts.join('&');
  parts.push(`SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`);
  const signature = createSign('RSA-SHA256').update(parts.join('&')).sign(keys.privateKey, 'base64');
  return `${parts.join('&')}&Signature=${encodeURIComponent(signature)}`;
}

/** The XML of a redirect-binding message (SAMLRequest or SAMLResponse) in a Location. */
export function redirectMessage(location: string): { xml: string; params: URLSearchParams } {
  const params = new URL(location).searchParams;
  const message = params.get('SAMLRequest') ?? params.get('SAMLResponse')!;
  return { xml: inflateRawSync(Buffer.from(message, 'base64')).toString('utf8'), params };
}
