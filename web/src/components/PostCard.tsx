import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { del, get, patch, post as postApi, REACTIONS, type Attachment, type Post } from '../api';
import { useMe } from '../session';
import { useOrgSettings } from './org-settings';
import { ErrorMessage, Time } from './common';
import { ConfirmDialog, Dialog } from './Dialog';
import { useMyGroups } from './live-posts';
import { PostText } from './PostText';
import '../pages/social.css';

interface Version {
  version: number;
  body: string;
  editedBy: string;
  createdAt: string;
}

export interface PostCardProps {
  post: Post;
  /** A changed post (edit, reaction, pin) to put in its place. */
  onChange: (post: Post) => void;
  onDeleted: (id: string) => void;
  /** Shown above the author line, e.g. "Pinned". */
  pinned?: boolean;
  /** The thread page's root links nowhere (it is the thread). */
  isThreadRoot?: boolean;
}

const contentUrl = (a: Attachment) => `/api/v1/attachments/${a.id}/content`;

export function Attachments({ items }: { items: Attachment[] }) {
  if (items.length === 0) return null;
  return (
    <div className="attachments">
      {items.map((a) =>
        a.contentType.startsWith('image/') ? (
          <a key={a.id} href={contentUrl(a)} target="_blank" rel="noopener noreferrer">
            <img src={contentUrl(a)} alt={a.fileName} loading="lazy" />
          </a>
        ) : (
          <a key={a.id} href={contentUrl(a)} download={a.fileName} className="attachment-file">
            <span aria-hidden="true">📎</span> {a.fileName}
          </a>
        ),
      )}
    </div>
  );
}

/** One post: who, where, when, the text (inert), attachments, reactions, replies and the actions this viewer may take. */
export function PostCard({ post, onChange, onDeleted, pinned, isThreadRoot }: PostCardProps) {
  const me = useMe();
  const myGroups = useMyGroups();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(post.body);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [versions, setVersions] = useState<Version[] | null>(null);

  const isAuthor = post.author.id === me.user.id;
  const isAdmin = me.user.role === 'admin';
  const ownsGroup = !!post.group && myGroups.some((g) => g.id === post.group!.id && g.myRole === 'owner');
  const canSeeVersions = isAuthor || isAdmin || me.user.role === 'compliance';
  const canDelete = isAuthor || isAdmin || ownsGroup;
  const canPin = !post.parentId && (isAdmin || ownsGroup);
  const max = useOrgSettings().maxPostLength;

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const react = (kind: string, on: boolean) =>
    run(async () => {
      const path = `/api/v1/posts/${post.id}/reactions/${kind}`;
      onChange(on ? await postApi<Post>(path) : await del<Post>(path));
    });

  const saveEdit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      onChange(await patch<Post>(`/api/v1/posts/${post.id}`, { body: draft }));
      setEditing(false);
    });
  };

  const remove = () =>
    run(async () => {
      await del(`/api/v1/posts/${post.id}`);
      setConfirmDelete(false);
      onDeleted(post.id);
    });

  const togglePin = () =>
    run(async () => {
      const path = `/api/v1/posts/${post.id}/pin`;
      onChange(post.pinnedAt ? await del<Post>(path) : await postApi<Post>(path));
    });

  const showVersions = () =>
    run(async () => {
      setVersions((await get<{ items: Version[] }>(`/api/v1/posts/${post.id}/versions`)).items);
    });

  const threadLink = `/posts/${post.parentId ?? post.id}`;
  const editId = `edit-${post.id}`;
  return (
    <article className={`post${pinned ? ' pinned' : ''}`} aria-labelledby={`by-${post.id}`} data-post-id={post.id}>
      {pinned && (
        <p className="pin-marker">
          <span aria-hidden="true">📌</span> Pinned
        </p>
      )}
      <header>
        <Link id={`by-${post.id}`} className="author" to={`/users/${post.author.id}`}>
          {post.author.displayName}
        </Link>
        {post.group && (
          <>
            <span className="muted">in</span> <Link to={`/groups/${post.group.id}`}>{post.group.name}</Link>
          </>
        )}
        <Link to={threadLink} className="muted post-time">
          <Time at={post.createdAt} />
        </Link>
        {post.editedAt && <span className="tag">edited</span>}
      </header>
      {editing ? (
        <form onSubmit={saveEdit} className="edit-form">
          <label htmlFor={editId}>Edit post</label>
          <textarea id={editId} value={draft} onChange={(e) => setDraft(e.target.value)} rows={4} />
          <p className={`muted char-count${draft.length > max ? ' over' : ''}`}>
            {draft.length} / {max}
          </p>
          <div className="row">
            <button type="submit" className="primary" disabled={busy || draft.trim() === '' || draft.length > max}>
              Save
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(false);
                setDraft(post.body);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <PostText text={post.body} />
      )}
      <Attachments items={post.attachments} />
      <footer>
        <div className="reactions" role="group" aria-label="Reactions">
          {REACTIONS.map((r) => {
            const count = post.reactions[r.kind] ?? 0;
            const mine = post.myReactions.includes(r.kind);
            return (
              <button
                key={r.kind}
                type="button"
                className="reaction"
                aria-pressed={mine}
                aria-label={`${r.label}${count ? `, ${count}` : ''}`}
                title={r.label}
                disabled={busy}
                onClick={() => void react(r.kind, !mine)}
              >
                <span aria-hidden="true">{r.emoji}</span>
                {count > 0 && <span className="count" aria-hidden="true">{count}</span>}
              </button>
            );
          })}
        </div>
        {!post.parentId && !isThreadRoot && (
          <Link to={threadLink} className="reply-link">
            {post.replyCount === 1 ? '1 reply' : `${post.replyCount} replies`}
          </Link>
        )}
        <div className="post-actions">
          {isAuthor && !editing && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setDraft(post.body);
                setEditing(true);
              }}
            >
              Edit
            </button>
          )}
          {canSeeVersions && post.version > 1 && (
            <button type="button" className="link-button" onClick={() => void showVersions()}>
              Version history
            </button>
          )}
          {canPin && (
            <button type="button" className="link-button" disabled={busy} onClick={() => void togglePin()}>
              {post.pinnedAt ? 'Unpin' : 'Pin'}
            </button>
          )}
          {canDelete && (
            <button type="button" className="link-button danger-link" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
        </div>
      </footer>
      <ErrorMessage error={error} />
      {confirmDelete && (
        <ConfirmDialog
          title="Delete this post?"
          message="It disappears for everyone. Replies stay in the thread."
          confirmLabel="Delete post"
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        />
      )}
      {versions && (
        <Dialog title="Version history" onClose={() => setVersions(null)}>
          <ol className="versions">
            {versions.map((v) => (
              <li key={v.version}>
                <p className="muted">
                  Version {v.version} · <Time at={v.createdAt} />
                </p>
                <PostText text={v.body} />
              </li>
            ))}
          </ol>
          <button type="button" data-autofocus onClick={() => setVersions(null)}>
            Close
          </button>
        </Dialog>
      )}
    </article>
  );
}
