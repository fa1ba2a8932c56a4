/**
 * The one rule for who may read a post, as a SQL predicate over post alias `p`: company posts,
 * posts in public groups, and posts in groups the viewer belongs to. Every read path (streams,
 * threads, search, notifications) uses it; `viewer` is a SQL expression such as `$2`.
 */
export const postVisibleTo = (viewer: string): string => `(p.group_id IS NULL
  OR EXISTS (SELECT 1 FROM org_group vg WHERE vg.org_id = p.org_id AND vg.id = p.group_id AND vg.visibility = 'public')
  OR EXISTS (SELECT 1 FROM group_membership vm WHERE vm.org_id = p.org_id AND vm.group_id = p.group_id AND vm.user_id = ${viewer}))`;
