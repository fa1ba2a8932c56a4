import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout';
import { Loading, PageTitle } from './components/common';
import { SignIn } from './pages/SignIn';
import { SessionProvider, useSession } from './session';
import { CompanyPage } from './pages/CompanyPage';
import { GroupPage } from './pages/GroupPage';
import { GroupsPage } from './pages/GroupsPage';
import { HashtagPage } from './pages/HashtagPage';
import { HomePage } from './pages/HomePage';
import { MentionsPage } from './pages/MentionsPage';
import { NotificationsPage } from './pages/NotificationsPage';
import { ProfilePage } from './pages/ProfilePage';
import { SearchPage } from './pages/SearchPage';
import { SettingsPage } from './pages/SettingsPage';
import { ThreadPage } from './pages/ThreadPage';
import { AdminEmailPage } from './admin/AdminEmailPage';
import { AdminGroupsPage } from './admin/AdminGroupsPage';
import { AdminOrgPage } from './admin/AdminOrgPage';
import { AdminScimPage } from './admin/AdminScimPage';
import { AdminSlackPage } from './admin/AdminSlackPage';
import { AdminSsoPage } from './admin/AdminSsoPage';
import { AdminUsersPage } from './admin/AdminUsersPage';
import { AuditPage } from './admin/AuditPage';
import { ExportsPage } from './admin/ExportsPage';
import { HoldsPage } from './admin/HoldsPage';
import { RetentionPage } from './admin/RetentionPage';

/** Signed out: the sign-in page at every address (the address is kept, so a shared link works after signing in). */
function Routed() {
  const { me, loading } = useSession();
  if (loading) return <Loading />;
  if (!me) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
          <Route index element={<HomePage />} />
          <Route path="company" element={<CompanyPage />} />
          <Route path="groups" element={<GroupsPage />} />
          <Route path="groups/:id" element={<GroupPage />} />
          <Route path="users/:id" element={<ProfilePage />} />
          <Route path="people/:handle" element={<ProfilePage />} />
          <Route path="hashtags/:tag" element={<HashtagPage />} />
          <Route path="posts/:id" element={<ThreadPage />} />
          <Route path="search" element={<SearchPage />} />
          <Route path="notifications" element={<NotificationsPage />} />
          <Route path="mentions" element={<MentionsPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="admin/users" element={<AdminUsersPage />} />
          <Route path="admin/groups" element={<AdminGroupsPage />} />
          <Route path="admin/org" element={<AdminOrgPage />} />
          <Route path="admin/sso" element={<AdminSsoPage />} />
          <Route path="admin/scim" element={<AdminScimPage />} />
          <Route path="admin/slack" element={<AdminSlackPage />} />
          <Route path="admin/email" element={<AdminEmailPage />} />
          <Route path="compliance/retention" element={<RetentionPage />} />
          <Route path="compliance/holds" element={<HoldsPage />} />
          <Route path="compliance/exports" element={<ExportsPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="*" element={<PageTitle>Not found</PageTitle>} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Routed />
      </SessionProvider>
    </BrowserRouter>
  );
}
