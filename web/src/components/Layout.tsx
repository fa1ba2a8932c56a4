import { useEffect, useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { get } from '../api';
import { disconnect, subscribe } from '../live';
import { useMe, useSession } from '../session';

/** The signed-in frame: a skip link, the header (search, notifications with unread badge, me) and the navigation. */
export function Layout() {
  const me = useMe();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [unread, setUnread] = useState(0);
  const [menuOpen, setMenuOpen] = useState(false);
  const [q, setQ] = useState('');

  useEffect(() => setMenuOpen(false), [location.pathname]);

  useEffect(() => {
    let stopped = false;
    const load = () =>
      void get<{ count: number }>('/api/v1/notifications/unread-count').then(
        (r) => !stopped && setUnread(r.count),
        () => undefined,
      );
    load();
    const timer = window.setInterval(load, 30_000);
    // A new post may mention me or answer me: recount when posts arrive.
    const off = subscribe((e) => {
      if (e.type === 'post.created' || e.type === 'notification.created') load();
    });
    window.addEventListener('chorus:notifications-read', load);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      window.removeEventListener('chorus:notifications-read', load);
      off();
    };
  }, []);

  const search = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };

  const role = me.user.role;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <Link to="/" className="brand">
          Chorus <span className="org-name">{me.org.name}</span>
        </Link>
        <form role="search" className="topbar-search" onSubmit={search}>
          <label htmlFor="global-search" className="visually-hidden">
            Search posts
          </label>
          <input id="global-search" type="search" placeholder="Search posts" value={q} onChange={(e) => setQ(e.target.value)} />
        </form>
        <NavLink to="/notifications" className="bell" aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}>
          <span aria-hidden="true">🔔</span>
          {unread > 0 && (
            <span className="badge" data-testid="unread-badge" aria-hidden="true">
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </NavLink>
        <div className="me">
          <Link to={`/users/${me.user.id}`}>{me.user.displayName}</Link>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              disconnect();
              void signOut().then(() => navigate('/'));
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <div className="frame">
        <nav id="nav" aria-label="Main" className={menuOpen ? 'open' : ''}>
          <ul>
            <li><NavLink to="/" end>Home</NavLink></li>
            <li><NavLink to="/company">Company</NavLink></li>
            <li><NavLink to="/groups">Groups</NavLink></li>
            <li><NavLink to="/mentions">Mentions</NavLink></li>
            <li><NavLink to="/search">Search</NavLink></li>
            <li><NavLink to="/notifications">Notifications</NavLink></li>
            <li><NavLink to="/settings">Settings</NavLink></li>
          </ul>
          {role === 'admin' && (
            <>
              <h2 className="nav-heading">Admin</h2>
              <ul>
                <li><NavLink to="/admin/users">Users</NavLink></li>
                <li><NavLink to="/admin/groups">Groups</NavLink></li>
                <li><NavLink to="/admin/org">Organisation</NavLink></li>
                <li><NavLink to="/admin/sso">Single sign-on</NavLink></li>
                <li><NavLink to="/admin/scim">SCIM tokens</NavLink></li>
                <li><NavLink to="/admin/slack">Slack</NavLink></li>
                <li><NavLink to="/admin/email">Email</NavLink></li>
              </ul>
            </>
          )}
          {(role === 'compliance' || role === 'admin') && (
            <>
              <h2 className="nav-heading">Compliance</h2>
              <ul>
                {role === 'compliance' && <li><NavLink to="/compliance/retention">Retention</NavLink></li>}
                {role === 'compliance' && <li><NavLink to="/compliance/holds">Legal holds</NavLink></li>}
                {role === 'compliance' && <li><NavLink to="/compliance/exports">Exports</NavLink></li>}
                <li><NavLink to="/audit">Audit log</NavLink></li>
              </ul>
            </>
          )}
        </nav>
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
