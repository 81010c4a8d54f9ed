/**
 * The Slack part of the doctor: the bot token (auth.test), its scopes against manifest.yml, the
 * app-level token in Socket Mode (apps.connections.open), and the bot's channels. Calls nothing that
 * changes Slack. Scopes come from the `x-oauth-scopes` header Slack sends with every Web API answer,
 * which the WebClient copies to `response_metadata.scopes`.
 * @see https://docs.slack.dev/reference/methods/auth.test
 * @see https://docs.slack.dev/reference/methods/apps.connections.open
 * @see https://api.slack.com/legacy/oauth-scopes (X-OAuth-Scopes lists the scopes the token has)
 */
import { webApi } from '@slack/bolt';
import type { SlackConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { toBoltLogger } from '../../slack/bolt.ts';
import { fail, messageOf, ok, warn, type CheckResult } from '../results.ts';
import { checkChannels, type ChannelUse } from './slack-channels.ts';
import { slackFailure } from './slack-errors.ts';

/** A check waits this long for Slack, and does not retry: the operator is waiting. */
const CHECK_TIMEOUT_MS = 10_000;

export interface SlackCheckInput {
  readonly slack: SlackConfig;
  /** The channels Threadline posts to (see channelUses). */
  readonly channels: readonly ChannelUse[];
  /** manifest.yml's bot scopes, or why they could not be read. */
  readonly manifestScopes: readonly string[] | Error;
}

export async function checkSlack(input: SlackCheckInput): Promise<CheckResult[]> {
  const { slack } = input;
  const client = webClient(slack.botToken, slack.apiUrl);
  let auth: Awaited<ReturnType<webApi.WebClient['auth']['test']>>;
  try {
    auth = await client.auth.test();
  } catch (error) {
    // Scopes and channels are all asked with this token: nothing more to learn until it works.
    return [slackFailure(error, { method: 'auth.test', subject: 'SLACK_BOT_TOKEN', apiUrl: slack.apiUrl })];
  }
  if (!auth.bot_id || !auth.user_id) {
    return [
      fail(
        'SLACK_BOT_TOKEN',
        "Slack accepted the token, but it is not a bot's: set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
      ),
    ];
  }
  const botName = auth.user ?? auth.user_id;
  const workspace = auth.team ? `${auth.team} (${auth.team_id ?? '?'})` : (auth.team_id ?? 'unknown');
  return [
    ok('SLACK_BOT_TOKEN', `bot @${botName} in workspace ${workspace}`),
    scopesCheck(auth.response_metadata?.scopes, input.manifestScopes),
    ...(slack.mode === 'socket' ? [await appTokenCheck(slack.appToken, slack.apiUrl)] : []),
    ...(await checkChannels(client, input.channels, botName, slack.apiUrl)),
  ];
}

/** Every bot scope manifest.yml asks for must be granted; extra scopes are the operator's business. */
function scopesCheck(granted: readonly string[] | undefined, wanted: readonly string[] | Error): CheckResult {
  if (wanted instanceof Error) return warn('scopes', `not compared: ${messageOf(wanted)}`);
  if (granted === undefined) {
    return warn(
      'scopes',
      'not compared: Slack did not say which scopes the token has (no x-oauth-scopes header; a proxy in SLACK_API_URL may drop it)',
    );
  }
  const missing = wanted.filter((scope) => !granted.includes(scope));
  if (missing.length === 0) return ok('scopes', `the token has all ${wanted.length} bot scopes manifest.yml asks for`);
  const them = missing.length === 1 ? 'it' : 'them';
  return fail(
    'scopes',
    `the token lacks ${missing.join(', ')}, which manifest.yml asks for: add ${them} under OAuth & Permissions → Bot Token Scopes ` +
      '(or paste manifest.yml again under App Manifest), then reinstall the app to the workspace',
  );
}

/** Socket Mode connects with the app-level token; asking for a connection URL proves it, without connecting. */
async function appTokenCheck(appToken: string, apiUrl: string): Promise<CheckResult> {
  try {
    await webClient(appToken, apiUrl).apps.connections.open();
    return ok('SLACK_APP_TOKEN', 'Slack accepts it for Socket Mode (apps.connections.open)');
  } catch (error) {
    return slackFailure(error, { method: 'apps.connections.open', subject: 'SLACK_APP_TOKEN', apiUrl });
  }
}

function webClient(token: string, apiUrl: string): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    timeout: CHECK_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    // The WebClient would log failed calls to the console; the doctor reports them itself.
    logger: toBoltLogger(createLogger({ level: 'silent' })),
  });
}
