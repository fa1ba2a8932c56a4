import { SCIM, SCIM_MAX_RESULTS } from './scim-schemas.js';

/** The static discovery documents (RFC 7643 §5–7), describing exactly what this server honours. */

export function serviceProviderConfig(base: string) {
  return {
    schemas: [SCIM.ServiceProviderConfig],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A SCIM token created by an organisation admin (POST /api/v1/admin/scim/tokens), sent as "Authorization: Bearer scim_…"',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [SCIM.ResourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person in the organisation',
      schema: SCIM.User,
      schemaExtensions: [{ schema: SCIM.EnterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM.ResourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A private group provisioned by the identity provider',
      schema: SCIM.Group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

interface Attribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference';
  multiValued: boolean;
  required: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable';
  returned: 'always' | 'default';
  uniqueness: 'none' | 'server';
  caseExact: boolean;
  description: string;
  subAttributes?: Attribute[];
  referenceTypes?: string[];
}

const attr = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  caseExact: false,
  description,
  ...extra,
});

export function schemas(base: string) {
  const schema = (id: string, name: string, description: string, attributes: Attribute[]) => ({
    schemas: [SCIM.Schema],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  });
  return [
    schema(SCIM.User, 'User', 'User account', [
      attr('userName', 'The work email address; unique in the organisation', { required: true, uniqueness: 'server' }),
      attr('externalId', 'The identity provider\'s id for the user', { caseExact: true, uniqueness: 'server' }),
      attr('name', 'formatted, or givenName and familyName, become the display name', {
        type: 'complex',
        subAttributes: [attr('formatted', 'Full name'), attr('givenName', 'Given name'), attr('familyName', 'Family name')],
      }),
      attr('displayName', 'Name shown in Chorus'),
      attr('title', 'Job title'),
      attr('active', 'false deactivates: sessions and API tokens end, content is kept', { type: 'boolean' }),
      attr('emails', 'The work address (the same as userName)', {
        type: 'complex',
        multiValued: true,
        subAttributes: [attr('value', 'Address'), attr('type', '"work"'), attr('primary', 'Always true', { type: 'boolean' })],
      }),
    ]),
    schema(SCIM.EnterpriseUser, 'EnterpriseUser', 'Enterprise User extension', [attr('department', 'Department')]),
    schema(SCIM.Group, 'Group', 'Group', [
      attr('displayName', 'Group name; unique in the organisation', { required: true, uniqueness: 'server' }),
      attr('externalId', 'The identity provider\'s id for the group', { caseExact: true, uniqueness: 'server' }),
      attr('members', 'Members by user id', {
        type: 'complex',
        multiValued: true,
        subAttributes: [
          attr('value', 'User id', { mutability: 'immutable', caseExact: true }),
          attr('display', 'Display name', { mutability: 'readOnly' }),
          attr('$ref', 'URI of the user', { type: 'reference', mutability: 'immutable', referenceTypes: ['User'] }),
        ],
      }),
    ]),
  ];
}
