import { ScimError } from './scim-error.js';
import { parseEqualities } from './scim-filter.js';
import { applyPatch, attributesFromResource, displayNameOf, emailOf } from './scim-user-attributes.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const patch = (...Operations: unknown[]) => applyPatch({}, { schemas: [PATCH_OP], Operations });

describe('SCIM user attributes', () => {
  it('reads a resource: work email, name parts, enterprise department; ignores what Chorus does not keep', () => {
    const attrs = attributesFromResource({
      userName: 'jo@acme.test',
      name: { givenName: 'Jo', familyName: 'Bloggs' },
      emails: [{ type: 'home', value: 'jo@home.test' }, { type: 'work', value: 'jo@acme.test' }],
      [ENTERPRISE]: { department: 'Ops', manager: { value: 'x' } },
      locale: 'en-GB',
      password: 'secret',
    });
    expect(attrs).toMatchObject({ userName: 'jo@acme.test', workEmail: 'jo@acme.test', givenName: 'Jo', familyName: 'Bloggs', department: 'Ops' });
    expect(displayNameOf(attrs)).toBe('Jo Bloggs');
  });

  it('takes the work email when userName is not an address, and refuses when neither is', () => {
    expect(emailOf({ userName: 'jbloggs', workEmail: 'jo@acme.test' })).toBe('jo@acme.test');
    expect(() => emailOf({ userName: 'jbloggs' })).toThrow(ScimError);
  });

  it('applies Entra ID and Okta operation shapes', () => {
    expect(patch({ op: 'Replace', path: 'active', value: 'False' })).toEqual({ active: false });
    expect(patch({ op: 'replace', value: { active: true } })).toEqual({ active: true });
    expect(patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'new@acme.test' })).toEqual({ workEmail: 'new@acme.test' });
    expect(patch({ op: 'Replace', path: `${ENTERPRISE}:department`, value: 'R&D' })).toEqual({ department: 'R&D' });
    expect(patch({ op: 'Remove', path: 'title' })).toEqual({ title: null });
    expect(patch({ op: 'replace', value: { 'name.givenName': 'A', 'name.familyName': 'B' } })).toEqual({ givenName: 'A', familyName: 'B' });
  });

  it('rejects unknown operations and non-boolean active values', () => {
    expect(() => patch({ op: 'move', path: 'title', value: 'x' })).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
    expect(() => patch({ op: 'replace', path: 'active', value: 'yes' })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });
});

describe('SCIM filters', () => {
  const allowed = ['username', 'externalid', 'emails.value', 'emails.type', 'members.value', 'id'];

  it('reads eq comparisons joined by and, including value paths', () => {
    expect(Object.fromEntries(parseEqualities('userName eq "a@b.test"', allowed))).toEqual({ username: 'a@b.test' });
    expect(Object.fromEntries(parseEqualities('emails[type eq "work"].value eq "a@b.test"', allowed))).toEqual({ 'emails.type': 'work', 'emails.value': 'a@b.test' });
    expect(Object.fromEntries(parseEqualities('id eq "1" and members[value eq "2"]', allowed))).toEqual({ id: '1', 'members.value': '2' });
  });

  it('rejects other operators, attributes and broken syntax as invalidFilter', () => {
    for (const f of ['userName sw "a"', 'userName eq "a" or userName eq "b"', 'title eq "x"', 'userName eq', 'not (userName eq "a")']) {
      expect(() => parseEqualities(f, allowed)).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
    }
  });
});
