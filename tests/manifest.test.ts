import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const testsDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(testsDir, '..');
// Slack's own app-manifest JSON schema, vendored unchanged with its licence and source (see its README.md).
const schemaPath = path.join(testsDir, 'vendor', 'slack-manifest-schema', 'manifest.schema.1.0.0.json');

interface SlashCommand {
  command: string;
  url?: string;
  description: string;
  usage_hint?: string;
  should_escape?: boolean;
}

interface Manifest {
  display_information: { name: string };
  features: {
    bot_user: { display_name: string; always_online?: boolean };
    app_home: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean; messages_tab_read_only_enabled?: boolean };
    slash_commands: SlashCommand[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

/** Slack's schema is draft-07 and uses three things ajv's strict mode does not know; each is handled, none ignored. */
function slackSchemaValidator() {
  // strictTypes off: the schema (Slack's data, not ours to edit) puts `minItems` beside an untyped `items` once.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  // `format: uri` (the optional `$schema` property): ajv ships no formats; WHATWG URL parsing is close enough.
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  // `_note`: a comment for humans.
  ajv.addKeyword({ keyword: '_note', schemaType: 'string' });
  // `regex`: Slack's own spelling of `pattern` (background_color); enforce it as a pattern.
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    errors: false,
    validate: (pattern: string, value: string) => new RegExp(pattern).test(value),
  });
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
}

const manifest = parse(readFileSync(path.join(projectRoot, 'manifest.yml'), 'utf8')) as Manifest;

describe('manifest.yml', () => {
  it("passes Slack's app-manifest JSON schema with no errors", () => {
    const validate = slackSchemaValidator();
    validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('the schema check is not vacuous: it rejects a wrong manifest', () => {
    const validate = slackSchemaValidator();
    const broken = { ...manifest, display_information: { name: 'Threadline', background_color: 'blue' }, unknown_section: {} };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((error) => error.keyword).sort()).toEqual(['additionalProperties', 'regex']);
  });

  it.each([
    'chat:write', // parent message and customer replies; chat.update
    'chat:write.customize', // customer messages under the customer's name and picture
    'channels:history', // message.channels: agents' thread replies
    'groups:history', // message.groups: the same in private channels
    'channels:read', // conversations.info for /inbox routes
    'groups:read',
    'reactions:read', // reaction_added / reaction_removed
    'reactions:write', // delivery confirmation on the agent's message
    'files:read', // agents' attachments to the customer
    'files:write', // customers' media into the thread
    'users:read', // names; admin / owner check for /inbox
    'commands', // /inbox
  ])('requests the bot scope %s', (scope) => {
    expect(manifest.oauth_config.scopes.bot).toContain(scope);
  });

  it.each(['message.channels', 'message.groups', 'reaction_added', 'reaction_removed', 'app_home_opened'])(
    'subscribes to the bot event %s',
    (event) => {
      expect(manifest.settings.event_subscriptions.bot_events).toContain(event);
    },
  );

  it('requests no scope twice', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    expect(new Set(scopes).size).toBe(scopes.length);
  });

  it('declares /inbox with escaped channels and users, and a description', () => {
    const inbox = manifest.features.slash_commands.find((command) => command.command === '/inbox');
    expect(inbox).toBeDefined();
    expect(inbox?.should_escape).toBe(true);
    expect(inbox?.description.length).toBeGreaterThan(0);
    expect(inbox?.usage_hint?.length).toBeGreaterThan(0);
  });

  it('sends every HTTP-mode request to POST /slack/events', () => {
    const urls = [
      ...manifest.features.slash_commands.map((command) => command.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ];
    for (const url of urls) expect(new URL(url ?? '').pathname).toBe('/slack/events');
  });

  it('runs in Socket Mode with interactivity, an always-online bot and a Home tab', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest.features.bot_user.always_online).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });
});
