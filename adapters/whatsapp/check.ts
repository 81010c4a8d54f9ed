/**
 * WhatsApp's part of `threadline doctor` (and of start-up): does Meta accept WHATSAPP_TOKEN for
 * WHATSAPP_PHONE_NUMBER_ID. Read-only: one GET of the phone number.
 * @see https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account-to-number-current-status/
 */
import type { CheckResult } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import type { GraphClient } from '../meta/graph.ts';
import { TOKEN_SETTING } from './errors.ts';

/** The business number as Meta describes it; throws ChannelError. */
export async function phoneNumber(graph: GraphClient, phoneNumberId: string): Promise<{ display?: string; name?: string }> {
  const answer = (await graph.get(phoneNumberId, { fields: 'display_phone_number,verified_name' })) as {
    display_phone_number?: unknown;
    verified_name?: unknown;
  };
  return {
    ...(typeof answer.display_phone_number === 'string' ? { display: answer.display_phone_number } : {}),
    ...(typeof answer.verified_name === 'string' ? { name: answer.verified_name } : {}),
  };
}

export async function checkWhatsApp(graph: GraphClient, phoneNumberId: string): Promise<readonly CheckResult[]> {
  try {
    const number = await phoneNumber(graph, phoneNumberId);
    const shown = [number.display, number.name === undefined ? undefined : `"${number.name}"`].filter(Boolean).join(' ');
    return [
      {
        status: 'ok',
        subject: TOKEN_SETTING,
        detail: `phone number ${shown || phoneNumberId} (WHATSAPP_PHONE_NUMBER_ID ${phoneNumberId}) accepts the token`,
      },
    ];
  } catch (error) {
    const e = error instanceof ChannelError ? error : new ChannelError('whatsapp', 'transient', String(error));
    if (e.kind === 'auth') return [{ status: 'fail', subject: TOKEN_SETTING, detail: e.message }];
    if (e.kind === 'transient' && e.detail.platformCode === undefined) return [{ status: 'fail', subject: 'whatsapp', detail: e.message }];
    const hint =
      e.kind === 'rejected'
        ? ': check WHATSAPP_PHONE_NUMBER_ID (WhatsApp Manager → API Setup → Phone number ID) and that the token may use it'
        : ': run threadline doctor again in a minute';
    return [{ status: 'fail', subject: 'WHATSAPP_PHONE_NUMBER_ID', detail: `${e.message}${hint}` }];
  }
}
