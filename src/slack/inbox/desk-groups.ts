/**
 * The waiting list, reply times, `detect` and `status` as `/inbox` groups: each group's help lines
 * (one example each, for `/inbox help` and the closest-usage answer) and its dispatch to the
 * parse/run functions of its own file.
 */
import type { HelpLine, InboxGroup } from './context.ts';
import { parseDetect, runDetect } from './detect.ts';
import { parseSla, runSla } from './sla.ts';
import { parseStatus, runStatus } from './status.ts';
import { parseWaiting, runWaiting } from './waiting.ts';

export const waitingGroup: InboxGroup = {
  commands: ['open', 'mine'],
  help: [
    { usage: '/inbox open', what: 'the conversations waiting for a reply, the oldest first, with links', example: '/inbox open' },
    { usage: '/inbox mine', what: 'the waiting conversations assigned to you', example: '/inbox mine' },
  ],
  async run(command, args, call) {
    const request = parseWaiting(command, args);
    if (request === undefined) return '';
    return request.kind === 'invalid' ? request.text : runWaiting(request, call.userId, call.client, call.options);
  },
};

const SLA_HELP: readonly HelpLine[] = [
  { usage: '/inbox sla', what: 'the reply times in effect', example: '/inbox sla' },
  {
    usage: '/inbox sla <minutes>',
    what: 'remind after that many minutes waiting, escalate at twice that (`off` to stop)',
    example: '/inbox sla 30',
  },
  {
    usage: '/inbox sla <language> <minutes>',
    what: 'a reply time for one language (`off`: back to the overall time)',
    example: '/inbox sla ko 15',
  },
];

export const slaGroup: InboxGroup = {
  commands: ['sla'],
  help: SLA_HELP,
  async run(command, args, call) {
    const request = parseSla(command, args, call.options.normalizeLanguage);
    if (request === undefined) return '';
    return request.kind === 'invalid' ? request.text : runSla(request, call.userId, call.client, call.options);
  },
};

export const detectGroup: InboxGroup = {
  commands: ['detect'],
  help: [
    {
      usage: '/inbox detect <text>',
      what: 'which language a message is detected as, and where it would go',
      example: '/inbox detect 배송이 언제 되나요?',
    },
  ],
  async run(command, args, call) {
    const request = parseDetect(command, args.join(' '));
    if (request === undefined) return '';
    return request.kind === 'invalid' ? request.text : runDetect(request, call.options);
  },
};

export const statusGroup: InboxGroup = {
  commands: ['status'],
  help: [
    {
      usage: '/inbox status',
      what: 'platforms live, store, journal backlog, the oldest wait and the counts of open, waiting and escalated',
      example: '/inbox status',
    },
  ],
  async run(command, args, call) {
    const request = parseStatus(command, args);
    if (request === undefined) return '';
    return request.kind === 'invalid' ? request.text : runStatus(call.options);
  },
};
