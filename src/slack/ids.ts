/**
 * The shapes of the Slack identifiers Threadline hands on from a signed request. A signed body whose
 * channel, user or timestamp has another shape is not something Slack sends; handing it on would
 * fail later, on every redelivery (a lone surrogate cannot even be URL-encoded for the Web API).
 * @see https://docs.slack.dev/reference/objects/conversation-object (IDs such as C012AB3CD)
 * @see https://docs.slack.dev/messaging/retrieving-messages (a message's `ts`, such as 1512085950.000216)
 */
const ID = /^[A-Z0-9]{1,40}$/;
const TS = /^\d{1,12}\.\d{1,12}$/;

/** A channel, user or team ID as Slack writes them. */
export const isSlackId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);

/** A message timestamp as Slack writes them. */
export const isSlackTs = (value: unknown): value is string => typeof value === 'string' && TS.test(value);
