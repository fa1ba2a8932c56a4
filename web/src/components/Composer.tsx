import { useId, useLayoutEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { post as postApi, type Attachment, type Post } from '../api';
import { useMe } from '../session';
import { useOrgSettings } from './org-settings';
import { ErrorMessage } from './common';
import { SuggestionList, useTokenSuggestions } from './Autocomplete';
import { useMyGroups } from './live-posts';
import '../pages/social.css';

export interface ComposerProps {
  onPosted: (post: Post) => void;
  /** Post into this group (no picker). */
  groupId?: string;
  /** Offer "Company stream or one of my groups". */
  groupPicker?: boolean;
  parentId?: string;
  label?: string;
  /** Hashtags to suggest after `#` (e.g. those in the posts on the page). */
  hashtags?: () => string[];
}

/** Write a post or a reply: counted text with @mention/#hashtag completion, group, attachments, announcement. */
export function Composer({ onPosted, groupId, groupPicker, parentId, label = 'Write a post', hashtags = () => [] }: ComposerProps) {
  const me = useMe();
  const myGroups = useMyGroups();
  const uid = useId();
  const fieldId = `${uid}-text`;
  const listId = `${uid}-suggestions`;
  const countId = `${uid}-count`;
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const [body, setBody] = useState('');
  const [target, setTarget] = useState('');
  const [announcement, setAnnouncement] = useState(false);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const settings = useOrgSettings();
  const max = settings.maxPostLength;
  const chosenGroup = groupId ?? (target || undefined);
  const isAdmin = me.user.role === 'admin';
  const canAnnounce = !parentId && (isAdmin || (!!chosenGroup && myGroups.some((g) => g.id === chosenGroup && g.myRole === 'owner')));

  // Where the caret goes after a suggestion is inserted, applied before the next keystroke can land.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (pendingCaret.current === null) return;
    textRef.current?.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [body]);

  const suggest = useTokenSuggestions({
    listId,
    hashtags,
    onPick: (s, start, end) => {
      const next = `${body.slice(0, start)}${s.insert} ${body.slice(end)}`;
      setBody(next);
      pendingCaret.current = start + s.insert.length + 1;
    },
  });

  const onText = (e: ChangeEvent<HTMLTextAreaElement>) => {
    setBody(e.target.value);
    suggest.update(e.target.value, e.target.selectionStart);
  };

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    setError(null);
    for (const file of files) {
      setUploading((n) => n + 1);
      try {
        const form = new FormData();
        form.append('file', file, file.name);
        const a = await postApi<Attachment>('/api/v1/attachments', form);
        setAttachments((list) => [...list, a]);
      } catch (err) {
        setError(err);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await postApi<Post>('/api/v1/posts', {
        body,
        groupId: chosenGroup,
        parentId,
        announcement: canAnnounce && announcement ? true : undefined,
        attachmentIds: attachments.length ? attachments.map((a) => a.id) : undefined,
      });
      setBody('');
      setAttachments([]);
      setAnnouncement(false);
      onPosted(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const over = body.length > max;
  return (
    <form className="composer card" onSubmit={(e) => void submit(e)}>
      <label htmlFor={fieldId}>{label}</label>
      <div className="composer-field">
        <textarea
          id={fieldId}
          ref={textRef}
          value={body}
          rows={3}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={suggest.open}
          aria-controls={suggest.open ? listId : undefined}
          aria-activedescendant={suggest.activeId}
          aria-describedby={countId}
          aria-invalid={over || undefined}
          onChange={onText}
          onKeyDown={(e) => {
            if (suggest.onKeyDown(e)) return;
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
          }}
          onClick={(e) => suggest.update(e.currentTarget.value, e.currentTarget.selectionStart)}
          onBlur={() => suggest.close()}
        />
        {suggest.open && (
          <SuggestionList id={listId} label={suggest.items[0]?.insert.startsWith('#') ? 'Hashtags' : 'People'} items={suggest.items} active={suggest.active} onPick={suggest.pick} />
        )}
      </div>
      <p id={countId} className={`muted char-count${over ? ' over' : ''}`}>
        {body.length} / {max} characters{over ? ` (${body.length - max} too many)` : ''}
      </p>
      {groupPicker && !groupId && !parentId && (
        <>
          <label htmlFor={`${uid}-group`}>Post to</label>
          <select id={`${uid}-group`} value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Company stream</option>
            {myGroups
              .filter((g) => !g.archivedAt)
              .map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
          </select>
        </>
      )}
      <label htmlFor={`${uid}-files`}>Attach files</label>
      <input id={`${uid}-files`} ref={fileRef} type="file" multiple onChange={(e) => void upload(e)} />
      {uploading > 0 && (
        <p className="muted" role="status">
          Uploading…
        </p>
      )}
      {attachments.length > 0 && (
        <ul className="composer-attachments" aria-label="Attached files">
          {attachments.map((a) => (
            <li key={a.id}>
              {a.contentType.startsWith('image/') ? <img src={`/api/v1/attachments/${a.id}/content`} alt={a.fileName} /> : <span>{a.fileName}</span>}
              <button type="button" className="link-button" onClick={() => setAttachments((list) => list.filter((x) => x.id !== a.id))}>
                Remove <span className="visually-hidden">{a.fileName}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {canAnnounce && (
        <label className="inline">
          <input type="checkbox" checked={announcement} onChange={(e) => setAnnouncement(e.target.checked)} /> Post as announcement (pinned)
        </label>
      )}
      <ErrorMessage error={error} />
      <div className="row composer-actions">
        <button type="submit" className="primary" disabled={busy || uploading > 0 || body.trim() === '' || over}>
          {parentId ? 'Reply' : 'Post'}
        </button>
      </div>
    </form>
  );
}
