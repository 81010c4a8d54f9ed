/**
 * A minimal App Home: what Threadline does, the routes in effect and where to get help.
 * @see https://docs.slack.dev/reference/events/app_home_opened/
 * @see https://docs.slack.dev/reference/methods/views.publish
 */
import type { App, types } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RoutingSettings } from '../engine/slack-port.ts';
import { routesText } from './inbox-command.ts';

/** The Home tab view for the given routes text (pure; see {@link routesText}). */
export function homeView(routes: string): types.HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Threadline', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            'Customer messages from Telegram and other platforms arrive here as one thread per conversation, ' +
            "in the channel of the customer's language. Reply in the thread to answer the customer; start with `note:` " +
            'to keep a reply internal. React with :raising_hand: to take a conversation and :white_check_mark: to close it.',
        },
      },
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: routes } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Type `/inbox help` for the commands.' }] },
    ],
  };
}

/** Publishes the Home tab whenever a user opens it. */
export function registerHome(app: App, options: { readonly settings: RoutingSettings; readonly logger: Logger }): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: homeView(await routesText(options.settings)) });
    options.logger.debug({ userId: event.user }, 'app home published');
  });
}
