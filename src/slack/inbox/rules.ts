/**
 * `/inbox rule <platform|*> <kind> <open|ignore|close>` and `/inbox rules`: automation rules, the
 * table the engine decides from (src/engine/rules.ts). The defaults are the first rows; an admin's
 * rule replaces the one for the same platform and kind. Listing is for everyone; changing is for
 * admins.
 */
import type { AutomationRule, RuleAction } from '../../engine/settings.ts';
import { DEFAULT_RULES, RULE_KINDS, type RuleKind } from '../../engine/rules.ts';
import { platformName, type Platform } from '../../messages.ts';
import { adminRefusal, isAdmin } from '../admins.ts';
import { echo, type HelpLine, type InboxGroup, usage } from './context.ts';

export const RULE_HELP: HelpLine = {
  usage: '/inbox rule <platform|*> <kind> <open|ignore|close>',
  what: 'what a kind of customer message does: open a conversation, ignore it (it opens nothing), or show it and close',
  example: '/inbox rule instagram story_mention ignore',
};
export const RULES_HELP: HelpLine = {
  usage: '/inbox rules',
  what: 'the automation rules in effect, and the kinds',
  example: '/inbox rules',
};

/** The platforms a rule can name (as customers know them). */
const PLATFORMS: readonly Platform[] = ['telegram', 'whatsapp', 'instagram', 'messenger', 'x', 'wechat'];
const ACTIONS: readonly RuleAction[] = ['open', 'ignore', 'close'];
const ACTION_TEXT: Record<RuleAction, string> = {
  open: 'opens a conversation',
  ignore: 'is ignored (opens nothing; still counted, and shown in a conversation already open)',
  close: 'is shown and closes the conversation',
};

/** What `/inbox rule …` asks for. */
export type RuleRequest = { readonly kind: 'set'; readonly rule: AutomationRule } | { readonly kind: 'invalid'; readonly text: string };

/** Parses the arguments of `/inbox rule`. */
export function parseRule(args: readonly string[]): RuleRequest {
  const [platformArg, kindArg, actionArg, extra] = args.map((a) => a.toLowerCase());
  if (!platformArg || !kindArg || !actionArg || extra) return { kind: 'invalid', text: usage(RULE_HELP) };
  const platform = platformArg === '*' ? '*' : PLATFORMS.find((p) => p === platformArg);
  if (!platform)
    return {
      kind: 'invalid',
      text: usage(RULE_HELP, `${echo(platformArg)} is not a platform: use \`*\` or one of ${PLATFORMS.join(', ')}.`),
    };
  if (!(kindArg in RULE_KINDS))
    return { kind: 'invalid', text: usage(RULE_HELP, `${echo(kindArg)} is not a kind: one of ${Object.keys(RULE_KINDS).join(', ')}.`) };
  const action = ACTIONS.find((a) => a === actionArg);
  if (!action) return { kind: 'invalid', text: usage(RULE_HELP, `${echo(actionArg)} is not an action: open, ignore or close.`) };
  return { kind: 'set', rule: { platform, kind: kindArg, action } };
}

function where(platform: string): string {
  return platform === '*' ? 'every platform' : platformName(platform as Platform);
}

/** The rules in effect, as Slack mrkdwn: the admins' first, then the defaults they leave, then the kinds. */
export function rulesText(rules: readonly AutomationRule[]): string {
  const line = (r: AutomationRule, from: string) => `• \`${r.platform}\` \`${r.kind}\` → *${r.action}* (${where(r.platform)}, ${from})`;
  const overridden = (d: AutomationRule) => rules.some((r) => r.kind === d.kind && r.platform === d.platform);
  const kinds = Object.entries(RULE_KINDS).map(([kind, what]) => `\`${kind}\`: ${what}`);
  return [
    'Automation rules (a rule for one platform beats `*`):',
    ...rules.map((r) => line(r, 'set by an admin')),
    ...DEFAULT_RULES.filter((d) => !overridden(d)).map((d) => line(d, 'default')),
    `Kinds: ${kinds.join('; ')}.`,
  ].join('\n');
}

/** `/inbox rule` and `/inbox rules`. */
export const rulesGroup: InboxGroup = {
  commands: ['rule', 'rules'],
  help: [RULE_HELP, RULES_HELP],
  async run(command, args, { userId, client, options }) {
    if (command === 'rules') return args.length > 0 ? usage(RULES_HELP) : rulesText((await options.settingsDocument.read()).rules);
    const request = parseRule(args);
    if (request.kind === 'invalid') return request.text;
    if (!(await isAdmin(client, userId, options.adminUsers)))
      return adminRefusal(options.adminUsers, 'change automation rules', 'use `/inbox rules` to see them');
    const { rule } = request;
    await options.settingsDocument.update(userId, `rule ${rule.platform} ${rule.kind} ${rule.action}`, (current) => ({
      ...current,
      rules: [...current.rules.filter((r) => !(r.platform === rule.platform && r.kind === rule.kind)), rule],
    }));
    options.logger.info({ ...rule, by: userId }, 'automation rule set');
    const kind = rule.kind as RuleKind;
    return `Done: on ${where(rule.platform)}, ${RULE_KINDS[kind]} ${ACTION_TEXT[rule.action]}.`;
  },
};
