/** Slack's mrkdwn treats &, < and > as control characters: a post's text shows them literally. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What a mirrored post says in Slack: who wrote it, the text, and a link back to it. */
export function mirrorText(p: { authorName: string; body: string; postUrl: string }): string {
  return `*${escapeSlackText(p.authorName)}*: ${escapeSlackText(p.body)}\n<${p.postUrl}|View in Chorus>`;
}
