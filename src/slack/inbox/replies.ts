/**
 * `/inbox replies all|prefixed`: which thread replies go to the customer. In `prefixed` mode only
 * replies that start with `>>` (or mention the bot) do, so internal chatter in a thread can never
 * reach a customer; the note prefix keeps a reply internal in both modes. Reading is for
 * everyone; changing is for admins.
 */
import { adminRefusal, isAdmin } from '../admins.ts';
import { echo, type HelpLine, type InboxGroup, usage } from './context.ts';

export const REPLIES_HELP: HelpLine = {
  usage: '/inbox replies <all|prefixed>',
  what: 'which thread replies reach the customer: all of them, or only those starting with `&gt;&gt;` (or mentioning Threadline)',
  example: '/inbox replies prefixed',
};

const MODE_TEXT = {
  all: 'every thread reply goes to the customer, except those starting with the note prefix',
  prefixed: 'only thread replies starting with `&gt;&gt;` (or mentioning Threadline) go to the customer; the rest stay internal',
} as const;

/** `/inbox replies`. */
export const repliesGroup: InboxGroup = {
  commands: ['replies'],
  help: [REPLIES_HELP],
  async run(_command, args, { userId, client, options }) {
    const [mode, extra] = args;
    if (mode === undefined) return `Reply mode: ${MODE_TEXT[(await options.settingsDocument.read()).replies]}.`;
    const chosen = mode.toLowerCase();
    if (extra || (chosen !== 'all' && chosen !== 'prefixed'))
      return usage(REPLIES_HELP, extra ? undefined : `${echo(mode)} is not a reply mode.`);
    if (!(await isAdmin(client, userId, options.adminUsers)))
      return adminRefusal(options.adminUsers, 'change the reply mode', 'use `/inbox replies` to see it');
    await options.settingsDocument.update(userId, `replies ${chosen}`, (current) =>
      current.replies === chosen ? current : { ...current, replies: chosen },
    );
    options.logger.info({ mode: chosen, by: userId }, 'reply mode set');
    return `Done: ${MODE_TEXT[chosen]}. Parent messages say so from their next update.`;
  },
};
