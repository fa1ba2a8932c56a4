/**
 * Slack message text (mrkdwn with `<…>` entities and HTML-escaped `&<>`) as the plain text a
 * Chorus post holds: links keep their label and address, channel and user references their name.
 */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<([^<>|]+)(?:\|([^<>]*))?>/g, (_all, target: string, label: string | undefined) => {
      if (target.startsWith('#C') || target.startsWith('#G')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('@U') || target.startsWith('@W')) return `@${label ?? target.slice(1)}`;
      if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
      if (target.startsWith('mailto:')) return label ?? target.slice(7);
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
