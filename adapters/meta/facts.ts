/**
 * The reply window of Messenger and Instagram as agents are told it: 24 hours after the customer's
 * last message, 7 days with the HUMAN_AGENT tag, which Threadline adds when META_HUMAN_AGENT_TAG is
 * true (and Meta approved the app's Human Agent permission).
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags
 * @see https://developers.facebook.com/docs/instagram-messaging/overview
 */

/** The `replyWindow` fact of a Messenger-style product (`name`: "Instagram", "Messenger"). */
export function humanAgentWindow(name: string, humanAgentTag: boolean): string {
  const within = `${name} only allows replies within 24 hours of the customer's last message`;
  return humanAgentTag
    ? `${within}, and up to 7 days with the human agent tag that Threadline adds (META_HUMAN_AGENT_TAG; Meta must have approved the app's Human Agent permission)`
    : `${within} (7 days with the human agent tag: an admin can set META_HUMAN_AGENT_TAG=true once Meta approved the app's Human Agent permission)`;
}
