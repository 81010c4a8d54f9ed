import { SlackChannelUnavailableError } from '../../src/errors.ts';
import type {
  AssignmentNote,
  ConversationView,
  CustomerBatch,
  CustomerPost,
  DeliveryFailure,
  NoticePlace,
  ParkedNotice,
  PostMarker,
  SlackFileRef,
  SlackPort,
  SlackUpload,
  ThreadRef,
  WaitingAlert,
} from '../../src/engine/slack-port.ts';

/** One message as the recording port keeps it. */
export interface RecordedMessage {
  readonly slackChannelId: string;
  readonly ts: string;
  readonly threadTs?: string;
  text: string;
  view?: ConversationView;
  author?: string;
  marker?: string;
  files: string[];
  reactions: Set<string>;
  /** ts of the message a customer post quotes. */
  quoting?: string;
  /** A combined post's sections (postCustomerBatch), in order. */
  sections?: string[];
}

/**
 * An in-memory SlackPort for engine unit tests: keeps messages like a tiny Slack, so tests assert
 * what a user would see (threads, parents, reactions, notices). End-to-end tests use the real Bolt
 * and the Slack Web API fake instead.
 */
export function createRecordingSlackPort() {
  const messages: RecordedMessage[] = [];
  const failures: { method: keyof SlackPort; error: Error }[] = [];
  const refusals: { method: keyof SlackPort; matches: (arg: unknown) => boolean; error: Error }[] = [];
  const unusable = new Set<string>();
  const away = new Set<string>();
  /** Slack channels whose posts wait for Slack's pace (behindPace), as a test sets them. */
  const paced = new Set<string>();
  let counter = 0;
  const nextTs = () => `1700000000.${String(++counter).padStart(6, '0')}`;
  const failIfScripted = (method: keyof SlackPort, arg?: unknown) => {
    const index = failures.findIndex((f) => f.method === method);
    if (index >= 0) throw failures.splice(index, 1)[0]!.error;
    const refusal = refusals.find((r) => r.method === method && r.matches(arg));
    if (refusal) throw refusal.error;
  };
  /** Threadline's own note in a thread (with `marker`, findable as postOnce looks for it); its ts. */
  const noteInThread = (thread: ThreadRef, text: string, marker?: PostMarker): string => {
    const ts = nextTs();
    messages.push({
      slackChannelId: thread.slackChannelId,
      ts,
      threadTs: thread.threadTs,
      text,
      author: 'Threadline',
      ...(marker ? { marker: marker.key } : {}),
      files: [],
      reactions: new Set(),
    });
    return ts;
  };
  /** A marked top-level post in a Slack channel (the escalation channel's); its ts. */
  const postInChannel = (slackChannelId: string, text: string, marker: PostMarker): string => {
    const ts = nextTs();
    messages.push({ slackChannelId, ts, text, marker: marker.key, files: [], reactions: new Set() });
    return ts;
  };
  const find = (slackChannelId: string, ts: string) => messages.find((m) => m.slackChannelId === slackChannelId && m.ts === ts);

  const deskChanges = { count: 0 };
  const port: SlackPort = {
    async postParent(slackChannelId: string, view: ConversationView, marker: PostMarker) {
      failIfScripted('postParent', view);
      if (unusable.has(slackChannelId)) throw new SlackChannelUnavailableError(slackChannelId, 'not_in_channel', 'not_in_channel');
      const ts = nextTs();
      messages.push({ slackChannelId, ts, text: `parent ${view.status}`, view, marker: marker.key, files: [], reactions: new Set() });
      return ts;
    },
    async updateParent(thread: ThreadRef, view: ConversationView) {
      failIfScripted('updateParent');
      const parent = find(thread.slackChannelId, thread.threadTs);
      if (!parent) throw new Error('message_not_found');
      parent.view = view;
      parent.text = `parent ${view.status}`;
    },
    async postCustomerMessage(post: CustomerPost) {
      failIfScripted('postCustomerMessage', post);
      const ts = nextTs();
      messages.push({
        slackChannelId: post.thread.slackChannelId,
        ts,
        threadTs: post.thread.threadTs,
        text: post.text,
        author: post.author.name,
        marker: post.marker.key,
        files: [],
        reactions: new Set(),
        ...(post.quoting ? { quoting: post.quoting.ts } : {}),
      });
      return ts;
    },
    async postCustomerBatch(batch: CustomerBatch) {
      failIfScripted('postCustomerBatch', batch);
      const ts = nextTs();
      const sections = batch.sections.map((s) => s.text);
      messages.push({
        slackChannelId: batch.thread.slackChannelId,
        ts,
        threadTs: batch.thread.threadTs,
        text: sections.join('\n'),
        sections,
        author: batch.author.name,
        marker: batch.marker.key,
        files: [],
        reactions: new Set(),
      });
      return ts;
    },
    behindPace: (slackChannelId: string) => paced.has(slackChannelId),
    batchLimits: {
      maxSections: 50,
      fitsSection: (text: string) => text.length <= 3000,
      fitsPost: (texts: readonly string[]) => texts.reduce((n, t) => n + t.length, 0) <= 40_000,
    },
    async uploadFiles(thread: ThreadRef, files: readonly SlackUpload[]) {
      failIfScripted('uploadFiles');
      const message = messages.filter((m) => m.slackChannelId === thread.slackChannelId && m.threadTs === thread.threadTs).at(-1);
      message?.files.push(...files.map((f) => f.fileName));
    },
    async updateCustomerMessage(thread: ThreadRef, ts: string, text: string, _author: CustomerPost['author'], section?: number) {
      const message = find(thread.slackChannelId, ts);
      if (!message) return;
      if (section !== undefined && message.sections) {
        message.sections[section] = `${text} (edited)`;
        message.text = message.sections.join('\n');
      } else message.text = `${text} (edited)`;
    },
    async findPosted(slackChannelId: string, thread: ThreadRef | undefined, marker: PostMarker) {
      return messages.find(
        (m) => m.slackChannelId === slackChannelId && m.marker === marker.key && (thread ? m.threadTs === thread.threadTs : !m.threadTs),
      )?.ts;
    },
    async threadOf(slackChannelId: string, ts: string) {
      const message = find(slackChannelId, ts);
      return message ? (message.threadTs ?? message.ts) : undefined;
    },
    async addReaction(slackChannelId: string, ts: string, emoji: string) {
      find(slackChannelId, ts)?.reactions.add(emoji);
    },
    async removeReaction(slackChannelId: string, ts: string, emoji: string) {
      find(slackChannelId, ts)?.reactions.delete(emoji);
    },
    async postNotice(thread: ThreadRef, text: string) {
      return noteInThread(thread, text);
    },
    async isActive(userId: string) {
      return !away.has(userId);
    },
    async noteAssignment(thread: ThreadRef, note: AssignmentNote, marker: PostMarker) {
      const text = note.assignee
        ? `assigned to ${note.assignee}${note.by ? ` by ${note.by}` : ''}`
        : `unassigned${note.by ? ` by ${note.by}` : ` (${note.unassigned})`}`;
      return noteInThread(thread, text, marker);
    },
    async postEscalation(target: { slackChannelId: string }, thread: ThreadRef, _view: ConversationView, by: string, marker: PostMarker) {
      return postInChannel(target.slackChannelId, `escalated ${thread.threadTs} by ${by}`, marker);
    },
    async closeEscalation(post: { slackChannelId: string; ts: string }, _thread: ThreadRef, by: string) {
      const message = find(post.slackChannelId, post.ts);
      if (message) message.text = `de-escalated by ${by}`;
    },
    async noteEscalation(thread: ThreadRef, note: { escalated: boolean; by: string }, marker: PostMarker) {
      return noteInThread(thread, `${note.escalated ? 'escalated' : 'de-escalated'} by ${note.by}`, marker);
    },
    async noteContactStatus(thread: ThreadRef, _platform: string, status: string) {
      await port.postNotice(thread, `customer ${status}`);
    },
    async noteParked(where: NoticePlace, notice: ParkedNotice) {
      failIfScripted('noteParked', where);
      const text = `parked ${notice.entryId}: ${notice.what} from ${notice.customer ?? notice.agentId} (${notice.reason})`;
      const ts = nextTs();
      messages.push({
        slackChannelId: where.slackChannelId,
        ts,
        ...(where.threadTs ? { threadTs: where.threadTs } : {}),
        text,
        author: 'Threadline',
        files: [],
        reactions: new Set(),
      });
    },
    async noteRerouted(thread: ThreadRef, routed: { slackChannelId: string; reason: string }) {
      await port.postNotice(thread, `rerouted from ${routed.slackChannelId} (${routed.reason})`);
    },
    async downloadFile(file: SlackFileRef) {
      return new TextEncoder().encode(`content of ${file.name}`);
    },
    async markDelivered(slackChannelId: string, messageTs: string) {
      find(slackChannelId, messageTs)?.reactions.add(':heavy_check_mark:');
    },
    async markRead(slackChannelId: string, messageTs: string) {
      find(slackChannelId, messageTs)?.reactions.add(':eyes:');
    },
    async reportDeliveryFailure(thread: ThreadRef, messageTs: string, failure: DeliveryFailure) {
      find(thread.slackChannelId, messageTs)?.reactions.add(':warning:');
      await port.postNotice(thread, `not delivered (${failure.kind}): ${failure.message}`);
    },
    async carryOver(from: ThreadRef, to: ThreadRef, count: number) {
      const last = messages.filter((m) => m.slackChannelId === from.slackChannelId && m.threadTs === from.threadTs).slice(-count);
      await port.postNotice(to, `carried: ${last.map((m) => m.text).join(' | ')}`);
    },
    deskChanged() {
      deskChanges.count += 1;
    },
    async alertWaiting(thread: ThreadRef, alert: WaitingAlert, marker: PostMarker) {
      failIfScripted('alertWaiting', thread);
      return noteInThread(thread, `${alert.stage} for ${alert.assignee ?? 'the channel'} after ${alert.waitedMinutes} min`, marker);
    },
    async postOverdue(target: { slackChannelId: string }, thread: ThreadRef, alert: WaitingAlert, marker: PostMarker) {
      failIfScripted('postOverdue', target);
      return postInChannel(target.slackChannelId, `overdue ${thread.threadTs} after ${alert.waitedMinutes} min`, marker);
    },
  };

  return {
    port,
    /** How often the engine said App Home should be refreshed. */
    deskChanges,
    messages,
    /** Makes the next call of `method` throw `error`. */
    failNext(method: keyof SlackPort, error: Error = new Error('slack down')) {
      failures.push({ method, error });
    },
    /** Makes every call of `method` whose first argument matches throw `error`; returns a function that lifts the rule. */
    refuse(method: keyof SlackPort, matches: (arg: unknown) => boolean, error: Error): () => void {
      const refusal = { method, matches, error };
      refusals.push(refusal);
      return () => void refusals.splice(refusals.indexOf(refusal), 1);
    },
    /** Makes a Slack user's presence `away` (everyone is active otherwise). */
    setAway(userId: string, isAway = true) {
      if (isAway) away.add(userId);
      else away.delete(userId);
    },
    /** Makes posts in this Slack channel wait for Slack's pace (behindPace), or not. */
    setBehindPace(slackChannelId: string, behind = true) {
      if (behind) paced.add(slackChannelId);
      else paced.delete(slackChannelId);
    },
    /** Makes posting in this Slack channel fail as when the bot is not a member. */
    makeUnusable(slackChannelId: string) {
      unusable.add(slackChannelId);
    },
    /** Simulates an agent (or anyone) writing in a thread, so reactions and replies have a ts. */
    addHumanMessage(thread: ThreadRef, text: string): string {
      const ts = nextTs();
      messages.push({
        slackChannelId: thread.slackChannelId,
        ts,
        threadTs: thread.threadTs,
        text,
        author: 'agent',
        files: [],
        reactions: new Set(),
      });
      return ts;
    },
    parents: () => messages.filter((m) => !m.threadTs),
    thread: (parent: RecordedMessage) => messages.filter((m) => m.threadTs === parent.ts && m.slackChannelId === parent.slackChannelId),
  };
}
