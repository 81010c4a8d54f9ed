/**
 * Who may change settings from Slack: workspace admins and owners (users.info), and the users an
 * operator lists in ADMIN_USERS. One check and one refusal for every admin command and button.
 * @see https://docs.slack.dev/reference/methods/users.info
 */
import type { webApi } from '@slack/bolt';

/** true if `userId` may change settings. */
export async function isAdmin(client: webApi.WebClient, userId: string, adminUsers: readonly string[]): Promise<boolean> {
  if (adminUsers.includes(userId)) return true;
  const result = await client.users.info({ user: userId });
  return result.user?.is_admin === true || result.user?.is_owner === true;
}

/** The refusal for a non-admin, naming who can: `what` is the thing refused ("change routing"), `instead` what they may do. */
export function adminRefusal(adminUsers: readonly string[], what: string, instead?: string): string {
  const listed =
    adminUsers.length > 0
      ? `, and ${adminUsers.map((u) => `<@${u}>`).join(', ')} (ADMIN_USERS)`
      : ' (and the users an operator lists in ADMIN_USERS)';
  return `Only workspace admins and owners${listed} can ${what}. Ask one of them${instead === undefined ? '.' : `, or ${instead}.`}`;
}
