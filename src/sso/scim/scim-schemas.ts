/** URNs of the SCIM schemas and messages this server speaks (RFC 7643, RFC 7644). */
export const SCIM = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  EnterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ListResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  PatchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  Error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  ServiceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  ResourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  Schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Largest page a list returns (ServiceProviderConfig `filter.maxResults`). */
export const SCIM_MAX_RESULTS = 100;
/** Bounds on one request's work: PATCH operations, and members named in one request. */
export const SCIM_MAX_OPERATIONS = 100;
export const SCIM_MAX_MEMBERS = 1000;
export const SCIM_MAX_FILTER_LENGTH = 1000;
