/**
 * The fake Slack's state and the Web API methods that read or change it: messages per channel
 * (threads, custom identities, metadata, reactions, files), users, files and published views.
 * Used by tests/fakes/slack-api.ts; each method cites the page its request and response follow.
 */

/** A message as the fake keeps it (the field names are Slack's message object's). */
export interface FakeMessage {
  readonly channel: string;
  readonly ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  username?: string;
  icon_url?: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Reaction name → user ids, in the order added. */
  reactions: Map<string, string[]>;
  files: FakeFile[];
  edited?: { user: string; ts: string };
}

/** An uploaded file; `data` holds the bytes. */
export interface FakeFile {
  readonly id: string;
  name: string;
  title: string;
  mimetype: string;
  data: Buffer;
  readonly url_private: string;
}

/** What conversations.info tells of a channel besides membership (unset: a public channel named after its id). */
export interface FakeChannel {
  readonly name?: string;
  readonly private?: boolean;
  readonly archived?: boolean;
  /** Gone: every call naming it answers channel_not_found. */
  readonly deleted?: boolean;
}

type Args = Record<string, unknown>;
type Ids = { readonly teamId: string; readonly botUserId: string; readonly botId: string };

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;
const error = (code: string): Args => ({ ok: false, error: code });

/** Creates the state and its method handlers. `base` is the fake's http origin (for URLs it hands out). */
export function createMessageStore(base: string, ids: Ids) {
  const channels = new Map<string, FakeMessage[]>();
  const files = new Map<string, FakeFile>();
  const users = new Map<string, { is_admin?: boolean; is_owner?: boolean; name?: string }>();
  const presence = new Map<string, 'active' | 'away'>();
  const views = new Map<string, unknown[]>();
  const kicked = new Set<string>();
  const channelInfo = new Map<string, FakeChannel>();
  let tsCounter = 0;
  let fileCounter = 0;

  const nextTs = () => `1800000000.${String(++tsCounter).padStart(6, '0')}`;
  const list = (channel: string) => {
    let messages = channels.get(channel);
    if (!messages) {
      messages = [];
      channels.set(channel, messages);
    }
    return messages;
  };
  const find = (channel: string, ts: string | undefined) => (ts ? channels.get(channel)?.find((m) => m.ts === ts) : undefined);

  function addFile(input: { name: string; mimetype?: string; data: Buffer | string; title?: string }) {
    const id = `F${String(++fileCounter).padStart(8, '0')}`;
    const ext = input.name.split('.').pop()?.toLowerCase() ?? '';
    const file: FakeFile = {
      id,
      name: input.name,
      title: input.title ?? input.name,
      mimetype: input.mimetype ?? MIME[ext] ?? 'application/octet-stream',
      data: Buffer.from(input.data),
      url_private: `${base}/files-pri/${ids.teamId}-${id}/${encodeURIComponent(input.name)}`,
    };
    files.set(id, file);
    return fileView(file);
  }

  /** Slack's file object. Source: https://docs.slack.dev/reference/objects/file-object */
  function fileView(f: FakeFile) {
    return {
      id: f.id,
      created: 1800000000,
      timestamp: 1800000000,
      name: f.name,
      title: f.title,
      mimetype: f.mimetype,
      filetype: f.name.split('.').pop() ?? 'binary',
      user: ids.botUserId,
      mode: 'hosted',
      is_external: false,
      is_public: true,
      size: f.data.length,
      url_private: f.url_private,
      url_private_download: `${f.url_private}?download=1`,
      permalink: `${base}/files/${ids.botUserId}/${f.id}/${encodeURIComponent(f.name)}`,
    };
  }

  /** A message as conversations.history / replies return it; metadata only with include_all_metadata. */
  function messageView(m: FakeMessage, withMetadata: boolean): Args {
    const replies = m.thread_ts === m.ts ? (channels.get(m.channel) ?? []).filter((r) => r.thread_ts === m.ts && r.ts !== m.ts) : [];
    return {
      type: 'message',
      ts: m.ts,
      text: m.text,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(replies.length ? { reply_count: replies.length, latest_reply: replies.at(-1)?.ts } : {}),
      ...(m.user ? { user: m.user } : {}),
      ...(m.bot_id ? { bot_id: m.bot_id } : {}),
      ...(m.subtype ? { subtype: m.subtype } : {}),
      ...(m.username ? { username: m.username } : {}),
      ...(m.icon_url ? { icons: { image_48: m.icon_url } } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
      ...(m.files.length ? { files: m.files.map(fileView) } : {}),
      ...(m.reactions.size ? { reactions: [...m.reactions].map(([name, us]) => ({ name, users: us, count: us.length })) } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  function post(channel: string, fields: Partial<FakeMessage> & { text: string }): FakeMessage {
    const ts = nextTs();
    const parent = find(channel, fields.thread_ts);
    if (parent && !parent.thread_ts) parent.thread_ts = parent.ts;
    const message: FakeMessage = { channel, ts, reactions: new Map(), files: [], ...fields };
    list(channel).push(message);
    return message;
  }

  /** Pages through `messages` with an offset cursor. */
  function page(messages: FakeMessage[], args: Args) {
    const limit = Number(str(args.limit) ?? 100);
    const offset = Number(str(args.cursor) ?? 0);
    const slice = messages.slice(offset, offset + limit);
    const next = offset + limit < messages.length ? String(offset + limit) : '';
    const withMetadata = truthy(args.include_all_metadata);
    return {
      ok: true,
      messages: slice.map((m) => messageView(m, withMetadata)),
      has_more: next !== '',
      response_metadata: { next_cursor: next },
    };
  }

  const channelOf = (args: Args) => str(args.channel) ?? str(args.channel_id) ?? '';
  /** Why the bot cannot use the channel; `posting`: also refuse an archived one (chat.postMessage's is_archived). */
  const guard = (channel: string, posting = false) => {
    const info = channelInfo.get(channel);
    if (info?.deleted) return error('channel_not_found');
    if (posting && info?.archived) return error('is_archived');
    return kicked.has(channel) ? error('not_in_channel') : undefined;
  };

  const methods: Record<string, (args: Args) => Args> = {
    // https://docs.slack.dev/reference/methods/chat.postMessage
    'chat.postMessage': (args) => {
      const channel = channelOf(args);
      const blocked = guard(channel, true);
      if (blocked) return blocked;
      const text = str(args.text) ?? '';
      if (!text && !args.blocks) return error('no_text');
      const custom = str(args.username) !== undefined || str(args.icon_url) !== undefined;
      const m = post(channel, {
        text,
        user: ids.botUserId,
        bot_id: ids.botId,
        ...(custom ? { subtype: 'bot_message' } : {}),
        ...(str(args.thread_ts) ? { thread_ts: str(args.thread_ts) } : {}),
        ...(str(args.username) ? { username: str(args.username) } : {}),
        ...(str(args.icon_url) ? { icon_url: str(args.icon_url) } : {}),
        ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
        ...(args.metadata ? { metadata: args.metadata as FakeMessage['metadata'] } : {}),
      });
      return { ok: true, channel, ts: m.ts, message: messageView(m, false) };
    },
    // https://docs.slack.dev/reference/methods/chat.update (metadata is kept when not given)
    'chat.update': (args) => {
      const channel = channelOf(args);
      const m = find(channel, str(args.ts));
      if (!m) return guard(channel) ?? error('message_not_found');
      if (m.user !== ids.botUserId) return error('cant_update_message');
      if (args.text !== undefined) m.text = str(args.text) ?? '';
      if (Array.isArray(args.blocks)) m.blocks = args.blocks;
      else if (args.text !== undefined) delete m.blocks;
      m.edited = { user: ids.botUserId, ts: nextTs() };
      return { ok: true, channel, ts: m.ts, text: m.text, message: messageView(m, false) };
    },
    // https://docs.slack.dev/reference/methods/chat.getPermalink
    'chat.getPermalink': (args) => {
      const channel = channelOf(args);
      const m = find(channel, str(args.message_ts));
      if (!m) return error('message_not_found');
      const thread = m.thread_ts && m.thread_ts !== m.ts ? `?thread_ts=${m.thread_ts}&cid=${channel}` : '';
      return { ok: true, channel, permalink: `${base}/archives/${channel}/p${m.ts.replace('.', '')}${thread}` };
    },
    // https://docs.slack.dev/reference/methods/conversations.info (channel.is_member: whether the bot is in it;
    // channel_not_found for a deleted channel, and for a private one the bot is not in, as the bot cannot see it)
    'conversations.info': (args) => {
      const channel = channelOf(args);
      const info = channelInfo.get(channel) ?? {};
      const member = !kicked.has(channel);
      if (info.deleted || (info.private && !member)) return error('channel_not_found');
      return {
        ok: true,
        channel: {
          id: channel,
          name: info.name ?? channel.toLowerCase(),
          is_channel: true,
          is_group: false,
          is_private: info.private ?? false,
          is_member: member,
          is_archived: info.archived ?? false,
          created: 1700000000,
        },
      };
    },
    // https://docs.slack.dev/reference/methods/conversations.replies
    'conversations.replies': (args) => {
      const channel = channelOf(args);
      const blocked = guard(channel);
      if (blocked) return blocked;
      const m = find(channel, str(args.ts));
      if (!m) return error('thread_not_found');
      const parentTs = m.thread_ts ?? m.ts;
      return page(
        list(channel).filter((x) => x.ts === parentTs || x.thread_ts === parentTs),
        args,
      );
    },
    // https://docs.slack.dev/reference/methods/conversations.history (newest first, top-level only)
    'conversations.history': (args) => {
      const channel = channelOf(args);
      return (
        guard(channel) ??
        page(
          list(channel)
            .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
            .reverse(),
          args,
        )
      );
    },
    // https://docs.slack.dev/reference/methods/reactions.add (already_reacted when present)
    'reactions.add': (args) => {
      const channel = channelOf(args);
      const m = find(channel, str(args.timestamp));
      if (!m) return guard(channel) ?? error('message_not_found');
      const name = str(args.name) ?? '';
      const who = m.reactions.get(name) ?? [];
      if (who.includes(ids.botUserId)) return error('already_reacted');
      m.reactions.set(name, [...who, ids.botUserId]);
      return { ok: true };
    },
    // https://docs.slack.dev/reference/methods/reactions.remove (no_reaction when absent)
    'reactions.remove': (args) => {
      const m = find(channelOf(args), str(args.timestamp));
      if (!m) return error('message_not_found');
      const name = str(args.name) ?? '';
      const who = (m.reactions.get(name) ?? []).filter((u) => u !== ids.botUserId);
      if (who.length === (m.reactions.get(name) ?? []).length) return error('no_reaction');
      if (who.length) m.reactions.set(name, who);
      else m.reactions.delete(name);
      return { ok: true };
    },
    // https://docs.slack.dev/reference/methods/users.info
    'users.info': (args) => {
      const id = str(args.user) ?? '';
      const u = users.get(id) ?? {};
      return {
        ok: true,
        user: {
          id,
          team_id: ids.teamId,
          name: u.name ?? id.toLowerCase(),
          deleted: false,
          is_bot: false,
          is_admin: u.is_admin ?? false,
          is_owner: u.is_owner ?? false,
          is_primary_owner: false,
          is_restricted: false,
        },
      };
    },
    // https://docs.slack.dev/reference/methods/users.getPresence (for another user: only `presence`, active or away;
    // users are away until setPresence says otherwise)
    'users.getPresence': (args) => {
      const id = str(args.user);
      if (!id) return error('user_not_found');
      return { ok: true, presence: presence.get(id) ?? 'away' };
    },
    // https://docs.slack.dev/reference/methods/files.getUploadURLExternal
    'files.getUploadURLExternal': (args) => {
      const name = str(args.filename);
      if (!name || !str(args.length)) return error('invalid_arguments');
      const file = addFile({ name, data: Buffer.alloc(0) });
      return { ok: true, upload_url: `${base}/upload/v1/${file.id}`, file_id: file.id };
    },
    // https://docs.slack.dev/reference/methods/files.completeUploadExternal (one message with all files)
    'files.completeUploadExternal': (args) => {
      const channel = str(args.channel_id);
      const listed = Array.isArray(args.files) ? (args.files as { id: string; title?: string }[]) : [];
      const found = listed.map((f) => ({ ref: f, file: files.get(f.id) }));
      if (found.length === 0 || found.some((f) => !f.file)) return error('file_not_found');
      for (const { ref, file } of found) if (file && ref.title) file.title = ref.title;
      if (channel) {
        const blocked = guard(channel, true);
        if (blocked) return blocked;
        post(channel, {
          text: str(args.initial_comment) ?? '',
          user: ids.botUserId,
          subtype: 'file_share',
          ...(str(args.thread_ts) ? { thread_ts: str(args.thread_ts) } : {}),
          files: found.map((f) => f.file as FakeFile),
        });
      }
      return { ok: true, files: found.map((f) => fileView(f.file as FakeFile)) };
    },
    // https://docs.slack.dev/reference/methods/views.publish
    'views.publish': (args) => {
      const user = str(args.user_id) ?? '';
      views.set(user, [...(views.get(user) ?? []), args.view]);
      return { ok: true, view: { id: `V${views.size}`, team_id: ids.teamId, type: 'home', ...(args.view as Args) } };
    },
  };

  return {
    methods,
    files,
    views,
    messages: (channel: string) => [...(channels.get(channel) ?? [])],
    find: (channel: string, ts: string) => find(channel, ts),
    addFile,
    upload(fileId: string, data: Buffer) {
      const file = files.get(fileId);
      if (file) file.data = data;
    },
    fileByPrivatePath: (path: string) => [...files.values()].find((f) => new URL(f.url_private).pathname === path),
    addUserMessage(channel: string, fields: { user: string; text: string; thread_ts?: string }) {
      return post(channel, { ...fields });
    },
    setUser(id: string, attrs: { is_admin?: boolean; is_owner?: boolean; name?: string }) {
      users.set(id, attrs);
    },
    setPresence(id: string, state: 'active' | 'away') {
      presence.set(id, state);
    },
    kickBot(channel: string) {
      kicked.add(channel);
    },
    setChannel(channel: string, info: FakeChannel) {
      channelInfo.set(channel, { ...channelInfo.get(channel), ...info });
    },
  };
}

/**
 * The customer messages one Slack message shows: the sections of a combined post (its blocks are
 * all Threadline's `threadline-msg-<n>` sections), in order; else its one text.
 */
export function shownMessages(message: FakeMessage): string[] {
  const blocks = (message.blocks ?? []) as { type?: unknown; block_id?: unknown; text?: { text?: unknown } }[];
  const combined =
    blocks.length > 0 &&
    blocks.every((b) => b.type === 'section' && typeof b.block_id === 'string' && b.block_id.startsWith('threadline-msg-'));
  return combined ? blocks.map((b) => String(b.text?.text ?? '')) : [message.text];
}
