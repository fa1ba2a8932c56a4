/** SCIM's own error catalogue (RFC 7644 §3.12): `scimType` says what was wrong with a 400/409. */
export enum ScimType {
  InvalidFilter = 'invalidFilter',
  InvalidSyntax = 'invalidSyntax',
  InvalidPath = 'invalidPath',
  InvalidValue = 'invalidValue',
  Uniqueness = 'uniqueness',
  Mutability = 'mutability',
  TooMany = 'tooMany',
  NoTarget = 'noTarget',
}

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | null,
    message: string,
  ) {
    super(message);
  }
}

export const invalidValue = (detail: string) => new ScimError(400, ScimType.InvalidValue, detail);
export const invalidFilter = (detail: string) => new ScimError(400, ScimType.InvalidFilter, detail);
export const invalidSyntax = (detail: string) => new ScimError(400, ScimType.InvalidSyntax, detail);
export const invalidPath = (detail: string) => new ScimError(400, ScimType.InvalidPath, detail);
