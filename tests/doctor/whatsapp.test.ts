import { afterEach, describe, expect, it } from 'vitest';
import { checkPlatforms, readPlatforms } from '../../src/doctor/checks/platforms.ts';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import { PHONE_NUMBER_ID } from '../fixtures/whatsapp/webhooks.ts';
import { metaEnv, WHATSAPP_TOKEN } from '../adapters/whatsapp/harness.ts';

let graph: FakeGraphApi | undefined;
afterEach(async () => graph?.close());

describe('threadline doctor: WhatsApp', () => {
  it('checks the token against the phone number, and names WHATSAPP_TOKEN when Meta refuses it', async () => {
    graph = await startFakeGraphApi({ token: WHATSAPP_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    const good = readPlatforms(metaEnv(graph.graphUrl));
    expect(good.results).toEqual([]);
    expect(await checkPlatforms(good.platforms)).toEqual([
      { status: 'ok', subject: 'WHATSAPP_TOKEN', detail: expect.stringContaining('15550783881') },
    ]);
    const bad = readPlatforms({ ...metaEnv(graph.graphUrl), WHATSAPP_TOKEN: 'EAAGwrong' });
    expect(await checkPlatforms(bad.platforms)).toEqual([
      { status: 'fail', subject: 'WHATSAPP_TOKEN', detail: expect.stringMatching(/set WHATSAPP_TOKEN/) },
    ]);
  });

  it('names the missing Meta setting', () => {
    const { results } = readPlatforms({ WHATSAPP_TOKEN: 'EAAG', WHATSAPP_PHONE_NUMBER_ID: '1' });
    expect(results).toEqual([{ status: 'fail', subject: 'settings', detail: expect.stringContaining('META_APP_SECRET') }]);
  });
});
