/**
 * A customer event, applied to its conversation: open a thread if needed (routed by language),
 * mirror the message under the customer's name, and put the parent back to "waiting for reply".
 * Every Slack post goes through postOnce, so replaying a job after a crash posts nothing twice.
 */
import { ChannelError, SlackChannelUnavailableError } from '../errors.ts';
import {
  type ContactStatus,
  type DeliveryUpdate,
  type InboundEvent,
  type InboundMessage,
  type InboundReaction,
  platformName,
} from '../messages.ts';
import { exponentialBackoff, retry } from '../retry.ts';
import { keys } from '../store/keys.ts';
import { type ConversationRecord, onCustomerMessage, sameView, toConversationId, toView } from './conversations.ts';
import {
  type EngineContext,
  type MirrorLink,
  isoNow,
  linkPlatformMessage,
  linkSlackMessage,
  loadConversation,
  platformFacts,
  saveConversation,
} from './context.ts';
import { chooseAssignee } from './assignment.ts';
import { chooseLanguage } from './language.ts';
import { displayName, fileNameFor, mediaOf, renderCustomerText } from './render.ts';
import { postOnce, postOncePlanned } from './posting.ts';
import { batchable, gatherFollowers, isPlan, lookahead, type PlannedFollower, plannedMembers, takenFrom } from './batching.ts';
import type { Backlog } from './worker.ts';
import { routeFor, routedLanguages } from './routing.ts';
import { actionFor, applyRules } from './rules.ts';
import { syncWaiting } from './waiting.ts';
import type { QuotedMessage, SlackUpload, ThreadRef } from './slack-port.ts';

/** A file is tried three times (a platform asking to wait more than 10 s gets a line saying so instead). */
const MEDIA_RETRY = { attempts: 3, backoff: exponentialBackoff(500, 10_000), maxRetryAfterMs: 10_000 } as const;
const UPLOADED_TTL_MS = 90 * 24 * 3600 * 1000;

/** No backlog: for callers that apply one event alone. */
const NO_BACKLOG: Backlog = { following: async () => [] };

/**
 * Applies one inbound event. Throws only when the job should be retried (Slack or store down).
 * Returns how many of the jobs queued behind it (`backlog`) it applied too: customer messages
 * posted with it as one batch.
 */
export async function handleInbound(
  ctx: EngineContext,
  event: InboundEvent,
  signal: AbortSignal,
  backlog: Backlog = NO_BACKLOG,
): Promise<number | undefined> {
  switch (event.kind) {
    case 'message':
      return handleMessage(ctx, event, signal, backlog);
    case 'reaction':
      await handleReaction(ctx, event);
      return 0;
    case 'delivery':
      await handleDelivery(ctx, event);
      return 0;
    case 'contact_status':
      await handleContactStatus(ctx, event);
      return 0;
  }
}

async function handleMessage(
  ctx: EngineContext,
  message: InboundMessage,
  signal: AbortSignal,
  backlog: Backlog,
): Promise<number | undefined> {
  const conversationId = toConversationId({ platform: message.platform, account: message.account, contactId: message.contact.id });
  const log = ctx.logger.child({ eventId: message.eventId, conversationId });
  // The record and the settings (the job reads them once) at once: one round trip on Redis.
  const [existing, settings] = await Promise.all([loadConversation(ctx, conversationId), ctx.settingsDocument.read()]);
  const open = existing !== undefined && !(existing.status === 'closed' && existing.thread);
  if (message.unsent) {
    await markUnsent(ctx, conversationId, message, log);
    return 0;
  }
  if (message.fromBusiness) {
    await mirrorBusinessMessage(ctx, conversationId, existing?.thread, open, message, log);
    return 0;
  }
  const rules = settings.rules;
  const decision = applyRules(message, open, rules);
  if (decision.action === 'ignore') {
    log.info({ rule: decision.rule }, 'message ignored by rule');
    ctx.metrics.messageIgnored(message.platform, decision.rule);
    return;
  }
  // An edit that could not be read is posted as its own reply: overwriting the mirror would lose
  // the version the agent could read.
  if (message.edited && !message.unreadable && existing?.thread) {
    const mirror = await ctx.store.get<MirrorLink>(keys.platformMessage(conversationId, message.messageId));
    if (mirror) {
      await ctx.slack.updateCustomerMessage(mirror.thread, mirror.ts, renderCustomerText(message), authorOf(message), mirror.section);
      return;
    }
  }
  let record = open ? existing : await planGeneration(ctx, message, existing);
  if (!open) {
    await saveConversation(ctx, record);
    log.info(
      { generation: record.generation, language: record.language ?? null, slackChannelId: record.slackChannelId },
      'conversation opening',
    );
  }
  record = await ensureThread(ctx, record, signal);
  record = await noteAutoAssignment(ctx, record);
  const thread = record.thread!;
  // The new thread's links are committed before a download that may take seconds: an agent's
  // reply in the thread meanwhile must find its conversation.
  if (mediaOf(message).length > 0) await ctx.store.commit([]);
  const files = await downloadMedia(ctx, message, log, signal);
  signal.throwIfAborted();
  const marker = { key: `msg:${conversationId}:${message.eventId}` };
  const quoting = await quotedIn(ctx, conversationId, thread, message.replyTo);
  const limits = ctx.slack.batchLimits;
  // Text messages queued right behind this one share its post when Slack's pace holds them up.
  const leads =
    decision.action === 'deliver' &&
    batchable(message) &&
    files.uploads.length === 0 &&
    limits.fitsSection(files.text, quoting !== undefined) &&
    ctx.slack.behindPace(thread.slackChannelId);
  // The jobs behind this one, read once: to plan a batch, and on a replay to take the planned ones along.
  let behind: Awaited<ReturnType<Backlog['following']>> | undefined;
  const queuedJobs = async () => {
    behind ??= await backlog.following(lookahead(limits));
    return behind;
  };
  const queued = leads ? await queuedJobs() : [];
  const candidates = leads
    ? await gatherFollowers(
        {
          limits,
          rules,
          conversationOf: (m) => toConversationId({ platform: m.platform, account: m.account, contactId: m.contact.id }),
          quoted: (m) => quotedIn(ctx, conversationId, thread, m.replyTo),
        },
        { message, text: files.text, ...(quoting ? { quoting } : {}) },
        queued,
      )
    : [];
  const proposed: PlannedFollower[] = candidates.map((c) => ({ eventId: c.message.eventId, messageId: c.message.messageId }));
  const { ts, plan } = await postOncePlanned(
    ctx,
    { slackChannelId: thread.slackChannelId, thread },
    marker,
    { proposed, none: [], isPlan },
    async (planned) => {
      if (planned.length === 0)
        return ctx.slack.postCustomerMessage({
          thread,
          author: authorOf(message),
          text: files.text,
          files: files.uploads,
          marker,
          ...(quoting ? { quoting } : {}),
        });
      const members = plannedMembers(planned, candidates, await queuedJobs());
      return ctx.slack.postCustomerBatch({
        thread,
        author: authorOf(message),
        sections: [
          { text: files.text, ...(quoting ? { quoting } : {}) },
          ...members.map((m) => ({ text: m.text, ...(m.quoting ? { quoting: m.quoting } : {}) })),
        ],
        marker,
      });
    },
  );
  // Files are their own step: a crash after the text and before the upload must not lose them. A
  // crash between the upload and this record uploads them again (a duplicate, never a loss).
  if (files.uploads.length > 0 && !(await ctx.store.get(keys.uploaded(marker.key)))) {
    signal.throwIfAborted();
    await ctx.slack.uploadFiles(thread, files.uploads);
    await ctx.store.commit([{ op: 'set', key: keys.uploaded(marker.key), value: true, ttlMs: UPLOADED_TTL_MS }]);
  }
  // Every message of a batch is linked to the post and its section, for later edits, reactions and quotes.
  await linkPlatformMessage(ctx, conversationId, message.messageId, { thread, ts, ...(plan.length > 0 ? { section: 0 } : {}) });
  for (const [index, follower] of plan.entries()) {
    await linkPlatformMessage(ctx, conversationId, follower.messageId, { thread, ts, section: index + 1 });
  }
  await linkSlackMessage(ctx, thread.slackChannelId, ts, { conversationId, thread });
  // A replay takes along what the first attempt planned, whatever the pace is now.
  const queuedNow = plan.length > 0 ? await queuedJobs() : queued;
  const followers = plannedFollowersOf(plan, queuedNow);
  if (plan.length > 0) log.info({ batched: plan.length + 1 }, 'customer messages posted together');
  const answered = followers.reduce(
    (r, follower) => onCustomerMessage(r, follower.contact, follower.occurredAt),
    onCustomerMessage(record, message.contact, message.occurredAt),
  );
  // A rule that closes (`/inbox rule … close`): shown, and nothing left waiting for a reply.
  const next: ConversationRecord = decision.action === 'close' ? { ...answered, status: 'closed' } : answered;
  if (decision.action === 'close') log.info({ rule: decision.rule }, 'conversation closed by rule');
  await saveConversation(ctx, next);
  await syncWaiting(ctx, existing, next);
  if (!sameView(record, next)) await ctx.slack.updateParent(thread, toView(next));
  return takenFrom(plan, queuedNow);
}

/** The planned followers still queued (a replay after some were recorded has fewer), as messages. */
function plannedFollowersOf(plan: readonly PlannedFollower[], queued: Parameters<typeof takenFrom>[1]): InboundMessage[] {
  return queued
    .slice(0, takenFrom(plan, queued))
    .flatMap((job) => (job.type === 'inbound' && job.event.kind === 'message' ? [job.event] : []));
}

/**
 * The customer unsent a message: a reply quoting its mirror says so, and the mirror stays (the
 * agent may have read it, and Slack keeps what was said). An unsend of a message never mirrored
 * (ignored by a rule, or older than the thread) opens nothing.
 */
async function markUnsent(
  ctx: EngineContext,
  conversationId: string,
  message: InboundMessage,
  log: EngineContext['logger'],
): Promise<void> {
  const mirror = await ctx.store.get<MirrorLink>(keys.platformMessage(conversationId, message.messageId));
  if (!mirror) {
    log.info('unsend of a message that is not mirrored ignored');
    return;
  }
  const marker = { key: `msg:${conversationId}:${message.eventId}` };
  await postOnce(ctx, { slackChannelId: mirror.thread.slackChannelId, thread: mirror.thread }, marker, () =>
    ctx.slack.postCustomerMessage({
      thread: mirror.thread,
      author: authorOf(message),
      text: '🚫 The customer unsent this message.',
      files: [],
      marker,
      quoting: { ts: mirror.ts, ...(mirror.section === undefined ? {} : { section: mirror.section }) },
    }),
  );
}

/**
 * A message the business sent from the platform's own app or inbox: shown in the open thread under
 * the business's name, so agents see the whole conversation; it opens nothing and changes no state.
 */
async function mirrorBusinessMessage(
  ctx: EngineContext,
  conversationId: string,
  thread: ThreadRef | undefined,
  open: boolean,
  message: InboundMessage,
  log: EngineContext['logger'],
): Promise<void> {
  if (!open || thread === undefined) {
    log.info('message sent from outside Threadline, with no open thread, not shown');
    return;
  }
  const marker = { key: `msg:${conversationId}:${message.eventId}` };
  const files = mediaOf(message).length;
  const text = [renderCustomerText(message), files > 0 ? `(${files} attachment${files === 1 ? '' : 's'})` : ''].filter(Boolean).join('\n');
  const ts = await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () =>
    ctx.slack.postCustomerMessage({
      thread,
      author: { name: `${platformName(message.platform)}: sent by the business outside Threadline` },
      text,
      files: [],
      marker,
    }),
  );
  await linkPlatformMessage(ctx, conversationId, message.messageId, { thread, ts });
}

/** The Slack message of this thread that a customer's reply answers, when it is mirrored there. */
async function quotedIn(
  ctx: EngineContext,
  conversationId: string,
  thread: ThreadRef,
  replyTo: string | undefined,
): Promise<QuotedMessage | undefined> {
  if (replyTo === undefined) return undefined;
  const quoted = await ctx.store.get<MirrorLink>(keys.platformMessage(conversationId, replyTo));
  if (!quoted || quoted.thread.slackChannelId !== thread.slackChannelId || quoted.thread.threadTs !== thread.threadTs) return undefined;
  return { ts: quoted.ts, ...(quoted.section === undefined ? {} : { section: quoted.section }) };
}

/** Decides language and Slack channel for a new thread (first contact, or after a close). */
async function planGeneration(
  ctx: EngineContext,
  message: InboundMessage,
  previous: ConversationRecord | undefined,
): Promise<ConversationRecord> {
  const routes = await ctx.settings.routes();
  const id = toConversationId({ platform: message.platform, account: message.account, contactId: message.contact.id });
  // An agent moved this customer to another language before: that beats detection on a short message.
  const remembered = await ctx.store.get<string>(keys.contactLanguage(id));
  const detected = remembered ?? (message.text ? ctx.language.detect(message.text, routedLanguages(routes)) : undefined);
  const choice = chooseLanguage({ detected, hints: [message.contact.languageHint, previous?.language] });
  const slackChannelId = routeFor(choice.language, routes, await ctx.settings.defaultChannel());
  const assignment = await chooseAssignee(ctx, choice.language);
  const now = isoNow(ctx);
  return {
    id: toConversationId({ platform: message.platform, account: message.account, contactId: message.contact.id }),
    generation: (previous?.generation ?? 0) + 1,
    platform: message.platform,
    account: message.account,
    contact: message.contact,
    ...(choice.language ? { language: choice.language } : {}),
    status: 'waiting',
    ...assignment,
    ...('assignee' in assignment ? { assignmentToNote: true as const } : {}),
    lastSpeaker: 'customer',
    slackChannelId,
    ...(previous?.thread ? { previous: previous.thread } : {}),
    openedAt: now,
    lastCustomerMessageAt: message.occurredAt,
  };
}

/**
 * Posts the parent message once per generation and records the thread. When the routed Slack
 * channel cannot be used (bot not invited, channel gone or archived), the conversation opens in
 * the default channel with a note saying why, rather than waiting for nobody.
 */
async function ensureThread(ctx: EngineContext, record: ConversationRecord, signal: AbortSignal): Promise<ConversationRecord> {
  if (record.thread) return record;
  signal.throwIfAborted();
  try {
    return await postParentIn(ctx, record);
  } catch (error) {
    const fallback = await ctx.settings.defaultChannel();
    if (!(error instanceof SlackChannelUnavailableError) || record.slackChannelId === fallback) throw error;
    ctx.logger.error(
      { err: error, conversationId: record.id, slackChannelId: record.slackChannelId, fallback },
      'routed Slack channel unusable, opening in the default channel',
    );
    const rerouted = await postParentIn(ctx, { ...record, slackChannelId: fallback });
    await ctx.slack.noteRerouted(rerouted.thread!, { slackChannelId: error.slackChannelId, reason: error.reason });
    return rerouted;
  }
}

/** Posts the parent of `record` in its `slackChannelId` (once per generation and channel) and records the thread. */
export async function postParentIn(ctx: EngineContext, record: ConversationRecord): Promise<ConversationRecord> {
  const marker = { key: `parent:${record.id}:${record.generation}:${record.slackChannelId}` };
  const threadTs = await postOnce(ctx, { slackChannelId: record.slackChannelId }, marker, () =>
    ctx.slack.postParent(record.slackChannelId, toView(record), marker),
  );
  const thread = { slackChannelId: record.slackChannelId, threadTs };
  const withThread = { ...record, thread };
  await ctx.store.set(keys.thread(thread.slackChannelId, threadTs), { conversationId: record.id, generation: record.generation });
  await linkSlackMessage(ctx, thread.slackChannelId, threadTs, { conversationId: record.id, thread });
  await saveConversation(ctx, withThread);
  ctx.metrics.conversationOpened(record.platform);
  ctx.logger.info(
    { conversationId: record.id, generation: record.generation, slackChannelId: thread.slackChannelId },
    'conversation opened',
  );
  return withThread;
}

/**
 * Notes in a new thread who was assigned automatically, mentioning them (nobody found: the parent
 * says why); once per generation and `occasion` (`auto` when it opened; a move names its channel),
 * even when the job is replayed.
 */
export async function noteAutoAssignment(ctx: EngineContext, record: ConversationRecord, occasion = 'auto'): Promise<ConversationRecord> {
  const thread = record.thread;
  if (!record.assignmentToNote || !thread) return record;
  const marker = { key: `assign:${record.id}:${record.generation}:${occasion}` };
  const note = { ...(record.assignee ? { assignee: record.assignee } : {}), ...(record.language ? { language: record.language } : {}) };
  await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () => ctx.slack.noteAssignment(thread, note, marker));
  const { assignmentToNote: _noted, ...noted } = record;
  await saveConversation(ctx, noted);
  if (noted.assignee) ctx.logger.info({ conversationId: record.id, assignee: noted.assignee }, 'conversation assigned automatically');
  return noted;
}

/** Downloads the message's files; a file that cannot be fetched becomes a line saying so. */
async function downloadMedia(
  ctx: EngineContext,
  message: InboundMessage,
  log: EngineContext['logger'],
  signal: AbortSignal,
): Promise<{ text: string; uploads: SlackUpload[] }> {
  const lines = [renderCustomerText(message)].filter((l) => l.length > 0);
  const uploads: SlackUpload[] = [];
  const channel = ctx.channels.get(message.platform);
  for (const [index, attachment] of mediaOf(message).entries()) {
    try {
      if (!channel) throw new Error(`the ${message.platform} channel is not running`);
      const file = await retry(() => channel.fetchMedia(attachment.media), { ...MEDIA_RETRY, signal });
      const mimeType = file.mimeType ?? attachment.mimeType;
      uploads.push({
        fileName: file.fileName ?? fileNameFor(attachment, index, mimeType),
        data: file.data,
        ...(mimeType ? { mimeType } : {}),
        ...(attachment.caption ? { title: attachment.caption } : {}),
      });
    } catch (error) {
      signal.throwIfAborted(); // the lease was lost: whoever holds it now downloads the files
      log.warn({ err: error, kind: attachment.kind }, 'media not downloaded');
      const reason = error instanceof ChannelError ? error.message : 'download failed';
      lines.push(`[${attachment.kind} not shown: ${reason}]`);
    }
  }
  return { text: lines.join('\n'), uploads };
}

/** A customer's reaction shows on the mirrored Slack message; it never opens a conversation. */
async function handleReaction(ctx: EngineContext, reaction: InboundReaction): Promise<void> {
  const conversationId = toConversationId({ platform: reaction.platform, account: reaction.account, contactId: reaction.contact.id });
  if (actionFor((await ctx.settingsDocument.read()).rules, reaction.platform, 'reaction') === 'ignore') {
    ctx.logger.info({ eventId: reaction.eventId, conversationId, rule: 'reaction' }, 'reaction ignored by rule');
    ctx.metrics.messageIgnored(reaction.platform, 'reaction');
    return;
  }
  const mirror = await ctx.store.get<MirrorLink>(keys.platformMessage(conversationId, reaction.messageId));
  if (!mirror) {
    ctx.logger.info({ eventId: reaction.eventId, conversationId }, 'reaction to an unknown message ignored');
    return;
  }
  if (reaction.removed) await ctx.slack.removeReaction(mirror.thread.slackChannelId, mirror.ts, reaction.emoji);
  else await ctx.slack.addReaction(mirror.thread.slackChannelId, mirror.ts, reaction.emoji);
}

/**
 * The platform's later word on an agent's reply. A `failed` status (the send was accepted, then not
 * delivered) marks the agent's message ⚠️ instead of ✔️ and explains why in its thread, once per
 * platform message; `delivered` keeps ✔️ (idempotent) and `read` adds the read mark.
 */
async function handleDelivery(ctx: EngineContext, event: DeliveryUpdate): Promise<void> {
  const conversationId = toConversationId({ platform: event.platform, account: event.account, contactId: event.contact.id });
  const log = ctx.logger.child({ eventId: event.eventId, conversationId });
  const mirror = await ctx.store.get<MirrorLink>(keys.platformMessage(conversationId, event.messageId));
  if (!mirror) {
    log.info({ messageId: event.messageId, status: event.status }, 'delivery update for a message Threadline did not send, ignored');
    return;
  }
  if (event.status === 'delivered') return ctx.slack.markDelivered(mirror.thread.slackChannelId, mirror.ts);
  if (event.status === 'read') return ctx.slack.markRead(mirror.thread.slackChannelId, mirror.ts);
  const shown = keys.failureShown(`${event.platform}:${event.account}:${event.messageId}`);
  if (await ctx.store.get(shown)) return;
  const failure = event.failure;
  log.error(
    { messageId: event.messageId, code: failure?.code ?? null, kind: failure?.kind ?? null },
    'reply not delivered (reported after the send)',
  );
  await ctx.slack.reportDeliveryFailure(mirror.thread, mirror.ts, {
    platform: event.platform,
    kind: failure?.kind ?? 'rejected',
    message: failure === undefined ? 'the platform reported the message as failed' : `${failure.code}: ${failure.title}`,
    attempts: 1,
    facts: platformFacts(ctx, event.platform),
  });
  await ctx.store.set(shown, true, 90 * 24 * 3600 * 1000);
}

/** Blocking shows in the customer's open thread (replies would fail); it never opens a conversation. */
async function handleContactStatus(ctx: EngineContext, event: ContactStatus): Promise<void> {
  const conversationId = toConversationId({ platform: event.platform, account: event.account, contactId: event.contact.id });
  const record = await loadConversation(ctx, conversationId);
  ctx.logger.info({ eventId: event.eventId, conversationId, status: event.status }, 'contact status changed');
  if (!record?.thread || record.status === 'closed') return;
  if (actionFor((await ctx.settingsDocument.read()).rules, event.platform, 'contact_status') === 'ignore') {
    ctx.metrics.messageIgnored(event.platform, 'contact_status');
    return;
  }
  await ctx.slack.noteContactStatus(record.thread, event.platform, event.status);
}

function authorOf(message: InboundMessage) {
  return { name: displayName(message.contact), ...(message.contact.avatarUrl ? { avatarUrl: message.contact.avatarUrl } : {}) };
}
