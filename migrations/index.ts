import { Foundation1795433853305 } from './1795433853305-foundation.js';
import { Posts1795438000000 } from './1795438000000-posts.js';
import { AnnouncementsNotifications1795440000000 } from './1795440000000-announcements-notifications.js';
import { Attachments1795439000000 } from './1795439000000-attachments.js';
import { PostSearchFunction1795441000000 } from './1795441000000-post-search-function.js';
import { Scim1795443000000 } from './1795443000000-scim.js';
import { Saml1795444000000 } from './1795444000000-saml.js';
import { Oidc1795445000000 } from './1795445000000-oidc.js';
import { SsoGroupLinks1795446000000 } from './1795446000000-sso-group-links.js';
import { SamlSlo1795447000000 } from './1795447000000-saml-slo.js';
import { Compliance1795448000000 } from './1795448000000-compliance.js';
import { Slack1795449000000 } from './1795449000000-slack.js';
import { Email1795450000000 } from './1795450000000-email.js';
import { RetentionPurgeSetBased1795451000000 } from './1795451000000-retention-purge-set-based.js';

/** Every migration, in order. Listed explicitly so the compiled app never globs the disk. */
export const migrations = [Foundation1795433853305, Posts1795438000000, AnnouncementsNotifications1795440000000, Attachments1795439000000, PostSearchFunction1795441000000, Scim1795443000000, Saml1795444000000, SsoGroupLinks1795446000000, Oidc1795445000000, SamlSlo1795447000000, Compliance1795448000000, Slack1795449000000, Email1795450000000, RetentionPurgeSetBased1795451000000];
