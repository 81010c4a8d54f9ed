/**
 * The Messenger channel: `object: page` entries from the shared Meta webhook in, the Send API
 * (`POST /me/messages`, `messaging_type: RESPONSE`, Page access token) out.
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
 */
import type { ChannelDeps } from '../../src/channel.ts';
import { createGraphClient } from '../meta/graph.ts';
import type { MetaChannel, MetaProduct, MetaSettings } from '../meta/index.ts';
import { createMessagingChannel } from '../meta/messaging-channel.ts';
import { readConfig, type MessengerConfig } from './config.ts';
import { RULES, TOKEN_SETTING } from './errors.ts';
import { messengerFacts } from './facts.ts';

export type { MessengerConfig } from './config.ts';

/** The webhook `object` of Messenger entries. */
export const MESSENGER_OBJECT = 'page';
/** Text limit of one message. @see https://developers.facebook.com/docs/messenger-platform/reference/send-api */
export const MAX_TEXT_LENGTH = 2000;

export function createMessengerChannel(config: MessengerConfig, settings: MetaSettings, deps: ChannelDeps): MetaChannel {
  const client = (timeoutMs?: number) =>
    createGraphClient({
      platform: 'messenger',
      graphUrl: settings.graphUrl,
      graphVersion: settings.graphVersion,
      token: config.token,
      tokenSetting: TOKEN_SETTING,
      rules: RULES,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  return createMessagingChannel(
    {
      platform: 'messenger',
      name: 'Messenger',
      facts: messengerFacts(settings.humanAgentTag),
      tokenSetting: TOKEN_SETTING,
      graph: client(),
      profileGraph: client(3000),
      maxText: { units: 'chars', max: MAX_TEXT_LENGTH },
      // Attachments up to 25 MB. @see https://developers.facebook.com/docs/messenger-platform/send-messages#file-attachments
      maxFileBytes: 25 * 1024 * 1024,
      sendFields: { messaging_type: 'RESPONSE' },
      humanAgentTag: settings.humanAgentTag,
      files: 'upload',
      sendsMetadata: true,
      // User Profile API: first_name, last_name and profile_pic are the default fields (Business apps also need
      // Meta's "Business Asset User Profile Access" feature, else the lookup fails and the customer shows by id).
      // @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/identity/user-profile
      profileFields: 'first_name,last_name,profile_pic',
      toProfile: (answer) => {
        const name = [answer.first_name, answer.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
        const picture = typeof answer.profile_pic === 'string' ? answer.profile_pic : undefined;
        return { ...(name ? { name } : {}), ...(picture ? { avatarUrl: picture } : {}) };
      },
      checksSubscription: true,
      meFields: 'id,name',
      describeMe: (answer) =>
        `Page ${typeof answer.name === 'string' ? `"${answer.name}" ` : ''}(${typeof answer.id === 'string' ? answer.id : 'unknown id'})`,
    },
    deps,
  );
}

/** The Messenger product of the Meta registry entry. */
export const messengerProduct: MetaProduct<MessengerConfig> = {
  platform: 'messenger',
  object: MESSENGER_OBJECT,
  tokenSetting: TOKEN_SETTING,
  readConfig,
  secretsOf: (config) => [config.token],
  create: (config, settings, deps) => createMessengerChannel(config, settings, deps),
};
