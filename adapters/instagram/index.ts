/**
 * The Instagram channel (Instagram API with Instagram Login): `object: instagram` entries from the
 * shared Meta webhook in, `POST /me/messages` on graph.instagram.com (INSTAGRAM_GRAPH_URL) out.
 * Files go as links it fetches, published under PUBLIC_URL.
 * Story mentions and story replies are tagged in `context` (src/engine/rules.ts decides); story
 * media is linked, never downloaded (Meta's policy).
 * @see https://developers.facebook.com/docs/instagram-platform/webhooks/examples/
 * @see https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/
 */
import type { ChannelDeps } from '../../src/channel.ts';
import { createGraphClient } from '../meta/graph.ts';
import type { MetaChannel, MetaProduct, MetaSettings } from '../meta/index.ts';
import { createMessagingChannel } from '../meta/messaging-channel.ts';
import { readConfig, type InstagramConfig } from './config.ts';
import { RULES, TOKEN_SETTING } from './errors.ts';
import { instagramFacts } from './facts.ts';
import { MAX_FILE_BYTES, refuseInstagramFile } from './files.ts';

export type { InstagramConfig } from './config.ts';

/** The webhook `object` of Instagram entries. */
export const INSTAGRAM_OBJECT = 'instagram';
/** Text limit of one message: 1000 bytes of UTF-8. */
export const MAX_TEXT_BYTES = 1000;

export function createInstagramChannel(config: InstagramConfig, settings: MetaSettings, deps: ChannelDeps): MetaChannel {
  const client = (timeoutMs?: number) =>
    createGraphClient({
      platform: 'instagram',
      graphUrl: config.graphUrl,
      graphVersion: settings.graphVersion,
      token: config.token,
      tokenSetting: TOKEN_SETTING,
      urlSetting: 'INSTAGRAM_GRAPH_URL',
      rules: RULES,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  return createMessagingChannel(
    {
      platform: 'instagram',
      name: 'Instagram',
      facts: instagramFacts(settings.humanAgentTag),
      tokenSetting: TOKEN_SETTING,
      graph: client(),
      profileGraph: client(3000),
      maxText: { units: 'bytes', max: MAX_TEXT_BYTES },
      // Images up to 8 MB, audio, video and PDFs up to 25 MB (refuseInstagramFile checks each kind).
      maxFileBytes: Math.max(...Object.values(MAX_FILE_BYTES)),
      sendFields: {},
      humanAgentTag: settings.humanAgentTag,
      // Instagram fetches each file from a link: published under PUBLIC_URL, refused without it.
      // @see https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
      files: 'link',
      refuseFile: refuseInstagramFile,
      sendsMetadata: false,
      // User Profile API (name, username, profile_pic; the picture URL expires after a few days).
      // @see https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/user-profile
      // @see https://developers.facebook.com/docs/messenger-platform/instagram/features/user-profile
      profileFields: 'name,username,profile_pic',
      toProfile: (answer) => {
        const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
        const name = str(answer.name);
        const handle = str(answer.username);
        const picture = str(answer.profile_pic);
        return { ...(name ? { name } : {}), ...(handle ? { handle } : {}), ...(picture ? { avatarUrl: picture } : {}) };
      },
      checksSubscription: false,
      meFields: 'user_id,username',
      describeMe: (answer) =>
        `Instagram account ${typeof answer.username === 'string' ? `@${answer.username} ` : ''}(${typeof answer.user_id === 'string' ? answer.user_id : 'unknown id'})`,
    },
    deps,
  );
}

/** The Instagram product of the Meta registry entry. */
export const instagramProduct: MetaProduct<InstagramConfig> = {
  platform: 'instagram',
  object: INSTAGRAM_OBJECT,
  tokenSetting: TOKEN_SETTING,
  readConfig,
  secretsOf: (config) => [config.token],
  create: (config, settings, deps) => createInstagramChannel(config, settings, deps),
};
