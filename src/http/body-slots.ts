/**
 * A bound on the request bodies read at the same time, whoever reads them (a webhook route, the
 * Slack receiver). A slot is taken before the first byte of the body is read and given back when the
 * body has been read, or the request or its response closed, whichever comes first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The slots of one server. */
export interface BodySlots {
  /** Takes a slot for `request`; false when all are taken (answer 503 then, without reading the body). */
  take(request: IncomingMessage, response: ServerResponse): boolean;
  /** Slots taken now. */
  inUse(): number;
}

/** At most `max` bodies at once. */
export function createBodySlots(max: number): BodySlots {
  let taken = 0;
  return {
    take(request, response) {
      if (taken >= max) return false;
      taken += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        taken -= 1;
        request.off('end', release).off('close', release);
        response.off('close', release);
      };
      request.once('end', release).once('close', release);
      response.once('close', release);
      return true;
    },
    inUse: () => taken,
  };
}
