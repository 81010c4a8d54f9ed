/**
 * What agents and admins will be told about WeChat when a reply fails, for the WeChat adapter to
 * come (its `Channel.facts`); src/slack/failure-text.ts words the notice.
 * @see https://developers.weixin.qq.com/doc/service/en/api/customer/message/api_sendcustommessage (5 messages within 48 hours)
 * @see https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html (45015: the user unfollowed)
 */
import type { PlatformFacts } from '../../src/channel.ts';

export const WECHAT_FACTS: PlatformFacts = {
  displayName: 'WeChat',
  credentials: 'WECHAT_APP_ID and WECHAT_APP_SECRET',
  unreachable: 'the customer unfollowed the Official Account, so WeChat refuses messages to them',
  replyWindow: "WeChat only allows 5 replies within 48 hours of the customer's last message",
  contentLimits: 'images up to 10 MB, voice up to 2 MB, video up to 10 MB',
};
