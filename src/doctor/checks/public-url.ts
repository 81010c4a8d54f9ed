/**
 * The PUBLIC_URL part of the doctor: platforms that take files only as links (Instagram) fetch
 * agents' files from `<PUBLIC_URL>/files/<id>`, so the address must lead to Threadline. It asks
 * `<PUBLIC_URL>/healthz` and looks for Threadline's answer. A warning, never a failure: the doctor
 * often runs before Threadline does, and from inside the network rather than from the internet.
 */
import { HEALTH_PATH } from '../../http/server.ts';
import { messageOf, ok, warn, type CheckResult } from '../results.ts';

const TIMEOUT_MS = 5000;

/** One line for PUBLIC_URL when it is set; nothing otherwise (the platforms that need it say so). */
export async function checkPublicUrl(publicUrl: string | undefined, fetchFn: typeof fetch = fetch): Promise<CheckResult[]> {
  if (publicUrl === undefined) return [];
  const url = `${publicUrl.replace(/\/+$/, '')}${HEALTH_PATH}`;
  const notRunning = 'if Threadline is not running yet, run threadline doctor again once it is';
  let response: Response;
  try {
    response = await fetchFn(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? messageOf(error);
    return [warn('PUBLIC_URL', `${url} did not answer (${cause}): platforms fetch agents' files from it; ${notRunning}`)];
  }
  const body = (await response.json().catch(() => undefined)) as { status?: unknown } | undefined;
  if ((response.status === 200 || response.status === 503) && typeof body?.status === 'string')
    return [ok('PUBLIC_URL', `${url} reaches Threadline (${body.status}): platforms can fetch agents' files from it`)];
  return [
    warn(
      'PUBLIC_URL',
      `${url} answered HTTP ${response.status}, not Threadline's health report: make the address forward to Threadline's PORT (a proxy must pass /files/ through); ${notRunning}`,
    ),
  ];
}
