/** WhatsApp Cloud API settings: the token and the business phone number; the rest is META_*. */
import { invalid, settingOf, type Env } from '../meta/config.ts';

export interface WhatsAppConfig {
  readonly token: string;
  /** The business phone number's id (WhatsApp Manager → API Setup), where messages are sent from. */
  readonly phoneNumberId: string;
}

/**
 * undefined when WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are both unset; a ConfigError naming
 * the missing or malformed one otherwise.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/get-started
 */
export function readConfig(env: Env): WhatsAppConfig | undefined {
  const token = settingOf(env, 'WHATSAPP_TOKEN');
  const phoneNumberId = settingOf(env, 'WHATSAPP_PHONE_NUMBER_ID');
  if (token === undefined && phoneNumberId === undefined) return undefined;
  if (token === undefined)
    throw invalid(
      'WHATSAPP_TOKEN',
      'is required with WHATSAPP_PHONE_NUMBER_ID: a system user access token with whatsapp_business_messaging',
    );
  if (phoneNumberId === undefined || !/^[0-9]+$/.test(phoneNumberId)) {
    throw invalid(
      'WHATSAPP_PHONE_NUMBER_ID',
      'must be the numeric Phone number ID from WhatsApp Manager → API Setup (not the phone number itself)',
    );
  }
  return Object.freeze({ token, phoneNumberId });
}
