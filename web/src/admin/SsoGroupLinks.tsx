import { useState, type FormEvent } from 'react';
import { get, put, type Group } from '../api';
import { ErrorMessage, Loading, useAsync } from '../components/common';
import { allGroups } from './directory';
import { Saved } from './SsoFields';

interface GroupLink {
  groupId: string;
  idpGroup: string;
}

export function GroupLinksSection() {
  const { data, error, loading } = useAsync(async () => {
    const [links, groups] = await Promise.all([get<{ links: GroupLink[] }>('/api/v1/admin/sso/group-links'), allGroups(false)]);
    return { links: links.links, groups };
  }, []);
  if (loading && !data) return <Loading />;
  if (!data) return <ErrorMessage error={error} />;
  return <GroupLinksEditor initial={data.links} groups={data.groups} />;
}

function GroupLinksEditor({ initial, groups }: { initial: GroupLink[]; groups: Group[] }) {
  const [links, setLinks] = useState<GroupLink[]>(initial);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const change = (i: number, l: Partial<GroupLink>) => setLinks((all) => all.map((x, j) => (j === i ? { ...x, ...l } : x)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const r = await put<{ links: GroupLink[] }>('/api/v1/admin/sso/group-links', { links: links.filter((l) => l.groupId && l.idpGroup.trim()).map((l) => ({ ...l, idpGroup: l.idpGroup.trim() })) });
      setLinks(r.links);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="card" aria-labelledby="links-heading">
      <h2 id="links-heading">Group links</h2>
      <p className="muted">Members of these groups follow the identity provider's groups (sent in the mapped "groups" attribute or claim) at each sign-in.</p>
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        {links.length === 0 && <p className="muted">No links.</p>}
        {links.map((l, i) => (
          <fieldset key={i}>
            <legend>Link {i + 1}</legend>
            <div className="admin-grid">
              <div>
                <label htmlFor={`link-group-${i}`}>Chorus group</label>
                <select id={`link-group-${i}`} required value={l.groupId} onChange={(e) => change(i, { groupId: e.target.value })}>
                  <option value="">Choose a group</option>
                  {groups.map((g) => (
                    <option key={g.id} value={g.id}>
                      {g.name}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label htmlFor={`link-idp-${i}`}>IdP group</label>
                <input id={`link-idp-${i}`} required maxLength={256} value={l.idpGroup} onChange={(e) => change(i, { idpGroup: e.target.value })} />
              </div>
            </div>
            <button type="button" className="link-button" onClick={() => setLinks((all) => all.filter((_, j) => j !== i))}>
              Remove link {i + 1}
            </button>
          </fieldset>
        ))}
        <ErrorMessage error={error} />
        <Saved show={saved} />
        <div className="actions">
          <button type="button" onClick={() => setLinks((all) => [...all, { groupId: '', idpGroup: '' }])}>
            Add a link
          </button>
          <button type="submit" className="primary">
            Save group links
          </button>
        </div>
      </form>
    </section>
  );
}
