// Type declarations for duet-chat.

export type ConversationID = string; // "C2C" + the peer's user id

/** `{ SDKAppID, server }`; `proxyServer`, Tencent's name for a private deployment's server, is
 * taken in its place. */
export type CreateOptions =
  | {
      SDKAppID: number;
      /** The server's base URL: `ws://host:port` or `wss://host` (`http(s)://` also accepted). */
      server: string;
    }
  | { SDKAppID: number; proxyServer: string };

export interface Result<T> {
  code: 0;
  data: T;
}

/** A failed call rejects with an `Error` carrying the numeric code (see the package README).
 * A failed `sendMessage`, `resendMessage`, `revokeMessage` or `modifyMessage` carries the
 * message in `data.message`, as Tencent's SDK does. */
export interface DuetError extends Error {
  code: number;
  data?: { message: Message };
}

export type MessageType =
  | 'TIMTextElem'
  | 'TIMFaceElem'
  | 'TIMLocationElem'
  | 'TIMCustomElem'
  | 'TIMImageElem'
  | 'TIMSoundElem'
  | 'TIMFileElem'
  | 'TIMVideoFileElem'
  | 'DuetSystemElem';

export interface TextPayload { text: string }
export interface FacePayload { index: number; data: string }
export interface LocationPayload { description: string; longitude: number; latitude: number }
export interface CustomPayload { data: string; description: string; extension: string }
export interface SystemPayload { text: string; data: string }
export interface ImageInfo {
  /** 1 original, 2 large (≤ 720 px), 3 thumbnail (≤ 198 px). */
  type: 1 | 2 | 3;
  url: string;
  width: number;
  height: number;
  size: number;
}
export interface ImagePayload { uuid: string; imageFormat: number; imageInfoArray: ImageInfo[] }
export interface AudioPayload { url: string; uuid: string; size: number; second: number; downloadFlag: number }
export interface FilePayload { fileUrl: string; uuid: string; fileName: string; fileSize: number; downloadFlag: number }
export interface VideoPayload {
  videoUrl: string; videoUUID: string; videoSize: number; videoSecond: number; videoFormat: string;
  thumbUrl: string; thumbUUID: string; thumbSize: number; thumbWidth: number; thumbHeight: number;
}
/** A `File`, a `Blob`, or an `<input type=file>` with a file chosen. */
export type MediaSource = File | Blob | HTMLInputElement;
export interface MediaMessageOptions<P> extends CreateMessageOptions<P> {
  /** Upload progress, 0 to 1, while `sendMessage` uploads the file. */
  onProgress?: (fraction: number) => void;
}

/** How a recipient with no device online is notified (Tencent's web `OfflinePushInfo`). */
export interface OfflinePushInfo {
  /** Do not push this message. */
  disablePush?: boolean;
  /** Accepted for compatibility; there is no VoIP push. */
  disableVoipPush?: boolean;
  /** The notification's title (up to 1024 bytes); by default the sender's nickname. */
  title?: string;
  /** The notification's text (up to 1024 bytes); by default made from the message. */
  description?: string;
  /** Passed through to the device (up to 1024 bytes). */
  extension?: string;
  /** On iOS, leave the app's badge as it is. */
  ignoreIOSBadge?: boolean;
  /** The notification channel on OPPO phones (Android 8 and later). */
  androidOPPOChannelID?: string;
}

/** A push service a device registers with. */
export type PushVendor = 'webpush' | 'apns' | 'fcm' | 'huawei' | 'xiaomi' | 'oppo' | 'vivo' | 'meizu';

export interface SendMessageOptions {
  /** Deliver to the devices online now only: not stored, pushed or counted unread. Fails with
   * 61001 without a connection. */
  onlineUserOnly?: boolean;
  offlinePushInfo?: OfflinePushInfo;
}

/** A message. One object per message while the app may hold it (the newest thousand are
 * kept), as in Tencent's SDK: `getMessageList`, the message events and `findMessage` give the
 * object the app already has, updated in place (`status`, `isRead`, `isPeerRead`, `isRevoked`,
 * an edit). An object the app froze is replaced by a new one rather than written to. */
export interface Message {
  /** `{from}-{clientTime}-{random}`: the same from `create…Message` on, on every device. */
  ID: string;
  /**
   * One of `MessageType`, or the `MsgType` of a kind this SDK does not know (from a newer
   * server), whose `payload` is then `{}`: show it as unsupported.
   */
  type: MessageType | (string & {});
  payload:
    | TextPayload | FacePayload | LocationPayload | CustomPayload | SystemPayload
    | ImagePayload | AudioPayload | FilePayload | VideoPayload | Record<string, never>;
  conversationID: ConversationID;
  conversationType: 'C2C';
  from: string;
  to: string;
  flow: 'in' | 'out';
  /** Seconds since the Unix epoch: the server's time once sent, the composing time before. */
  time: number;
  /** When it was composed, by the sender's clock (seconds). */
  clientTime: number;
  /** The server's number for it; 0 until sent (and for an online-only message). */
  sequence: number;
  random: number;
  status: 'unSend' | 'success' | 'fail';
  isRead: boolean;
  isPeerRead: boolean;
  isRevoked: boolean;
  /** Set to true on the objects `deleteMessage` was given, once they are deleted. */
  isDeleted: boolean;
  /** How many times it was edited (0: never); `modifyMessage` edits from this version. */
  version: number;
  /** Edited at least once (`version` > 0), as Tencent's SDK names it. */
  isModified: boolean;
  /** When it was last edited, seconds since the Unix epoch (0: never edited). */
  modifiedTime: number;
  nick: string;
  avatar: string;
  cloudCustomData: string;
  /** The sender asked for a read receipt (`create…Message`'s `needReadReceipt`). */
  needReadReceipt: boolean;
  /** The recipient's read receipt (`sendMessageReadReceipt`): `timestamp` in seconds since
   * the Unix epoch, 0 until it is read. */
  readReceiptInfo: { isPeerRead: boolean; timestamp: number };
  /** Who recalled it: its sender, who alone may (the app's backend recalls on the sender's
   * behalf); `''` while it stands. */
  revoker: string;
  revokerInfo: UserInfo;
  /** Tencent's fields for what a one-to-one Duet message never has, with their values for
   * none: a priority other than `'Normal'` (group messages'), a name card and mentions
   * (groups'), a broadcast, message extensions, a moderation verdict, a recall's reason:
   * `''`, `[]` and `false`. */
  priority: string;
  nameCard: string;
  atUserList: string[];
  isBroadcastMessage: boolean;
  isSupportExtension: boolean;
  hasRiskContent: boolean;
  revokeReason: string;
}

/** Who someone is, as Tencent's `UserInfo`: all `''` for no one. */
export interface UserInfo {
  userID: string;
  nick: string;
  avatar: string;
}

/** A conversation's last message, with the fields Tencent's conversation list reads there. */
export interface LastMessage extends Message {
  /** Seconds since the Unix epoch, as `time`. */
  lastTime: number;
  lastSequence: number;
  fromAccount: string;
  /** The message in a few words: its text, or `[Image]`, `[Voice]`, a file's name… */
  messageForShow: string;
}

export interface Conversation {
  conversationID: ConversationID;
  type: 'C2C';
  unreadCount: number;
  lastMessage: LastMessage | null;
  /** The peer's profile, as Tencent's: its `nick` and `avatar` as the server last told them,
   * the other fields at their defaults (`getUserProfile` reads them all). */
  userProfile: Profile;
  /** The peer's remark as your friend (`updateFriend`), `''` for none: show it before the
   * nick, as Tencent's TUIKit does. A change to it comes as `CONVERSATION_LIST_UPDATED`. */
  remark: string;
  updatedTime: number;
  /** `AcceptNotNotify` when muted with `setMessageRemindType` (on any of your devices; a
   * change comes as `CONVERSATION_LIST_UPDATED`), else `AcceptAndNotify`. */
  messageRemindType: 'AcceptAndNotify' | 'AcceptNotNotify';
  /** Pinned with `pinConversation`: first in the list, on all your devices. */
  isPinned: boolean;
  /** The text being written, kept with `setConversationDraft` for all your devices. */
  draftText: string;
  /** Its marks (`markConversation`): each a power of two (`TYPES.CONV_MARK_TYPE_STAR`…, or
   * your app's own from 2^32), lowest first. */
  markList: number[];
  /** Your app's own data about it, kept with `setConversationCustomData` for all your devices. */
  customData: string;
  /** The conversation groups it is in (`addConversationsToGroup`), in the order it joined. */
  conversationGroupList: string[];
}

/** What `markConversation`, `setConversationCustomData` and the conversation group calls
 * resolve: the conversations they changed, and why each other one failed (60016: no
 * conversation with that user yet). */
export interface ConversationChanges {
  successConversationIDList: ConversationID[];
  failureConversationIDList: { conversationID: string; code: number; message: string }[];
}

export interface CreateMessageOptions<P> {
  to: string;
  /** Duet is one-to-one: `TYPES.CONV_C2C`, the only value (it may be left out); any other is refused. */
  conversationType?: 'C2C';
  payload: P;
  cloudCustomData?: string;
  /** Ask the recipient for a read receipt (`sendMessageReadReceipt`). */
  needReadReceipt?: boolean;
  /** Taken and, as Tencent's SDK does for one-to-one messages, not kept: see `TYPES.MSG_PRIORITY_*`. */
  priority?: 'High' | 'Normal' | 'Low' | 'Lowest';
}

export interface EventObject<T> {
  name: string;
  data: T;
}

/** Each event's `data`, by event name (the values of `EVENT`). */
export interface EventMap {
  /** A sign-in has synced: once a sign-in, not again after a reconnect. */
  sdkStateReady: null;
  /** The sign-in ended (after `KICKED_OUT`, or at `logout`); a dropped connection is not this. */
  sdkStateNotReady: null;
  /** `destroy()` signed out; the listeners are forgotten after this one. */
  sdkDestroy: { SDKAppID: number };
  onMessageReceived: Message[];
  /** Messages edited (`modifyMessage`, or the backend's `modify_c2c_msg`) on any device of
   * either user: their newest version. A send's outcome is not an event: `sendMessage`'s
   * promise reports it, as in Tencent's SDK. */
  onMessageModified: Message[];
  /** A reaction was added to or removed from a message, on any device of either user. */
  onMessageReactionsUpdated: MessageReactions;
  /** A user whose presence you follow (`subscribeUserStatus`) came online, went offline or hid
   * it; also, after a reconnect, each one's presence then. */
  onUserStatusUpdated: UserStatus[];
  /** Your quiet hours were set, on this device or another (`setAllReceiveMessageOpt`). */
  onAllReceiveMessageOptUpdated: ReceiveMessageOpt;
  /** The recalled messages (content removed); only `ID` and `conversationID` when this browser
   * does not hold the message. */
  onMessageRevoked: (Message | { ID: string; conversationID: ConversationID; isRevoked: true })[];
  /** Your messages the peer has now read, newest first (up to 100 this browser holds); when it
   * holds none, the newest read message's `ID` and `conversationID`. */
  onMessageReadByPeer: (Message | { ID: string; conversationID: ConversationID; isPeerRead: true })[];
  /** The peer sent read receipts for these messages of yours (heard on each of your devices). */
  onMessageReadReceiptReceived: { userID: string; messageID: string; conversationID: ConversationID; isPeerRead: true; timestamp: number }[];
  /** A peer started or stopped typing to you. Clear the indicator yourself after 6 seconds
   * without a new one, and when a message from the peer arrives. */
  onTypingStatusUpdated: { conversationID: ConversationID; userID: string; typing: boolean };
  onConversationListUpdated: Conversation[];
  /** The names of your conversation groups, after a change on any of your devices. */
  onConversationGroupListUpdated: string[];
  /** The conversations in one group now (none when it is gone), after a change. */
  onConversationInGroupUpdated: { groupName: string; conversationList: Conversation[] };
  /** `getTotalUnreadMessageCount()`, each time it changes. */
  onTotalUnreadMessageCountUpdated: number;
  onProfileUpdated: Profile[];
  /** The whole friend list after a change on this device or another. */
  onFriendListUpdated: Friend[];
  /** All friend applications, to and from this user, after one came or went. */
  onFriendApplicationListUpdated: FriendApplicationList;
  /** All friend groups after one was made, deleted or changed, on this device, another, or by
   * the app's backend. */
  onFriendGroupListUpdated: FriendGroup[];
  /** The whole blacklist after a change on this device or another. */
  blacklistUpdated: string[];
  kickedOut: { type: 'multipleDevice' | 'REST_API_Kick' | 'userSigExpired' };
  netStateChange: { state: 'connected' | 'connecting' | 'disconnected' };
  error: { code: number; message: string };
}

export declare class Chat {
  /** Another instance, beside the one `create` gives (e.g. for a second user in one page). */
  constructor(options: CreateOptions);
  /** `handler` is called with `this` being `context`. A name that is not a string (code written
   * for Tencent's SDK listens to group events, `undefined` here) or a handler that is not a
   * function is not kept; a warning says so. */
  on<K extends keyof EventMap>(event: K, handler: (event: EventObject<EventMap[K]>) => void, context?: unknown): void;
  off<K extends keyof EventMap>(event: K, handler: (event: EventObject<EventMap[K]>) => void): void;
  /**
   * Signs in; `SDK_READY` follows once synced. As Tencent's: while a sign-in is under way,
   * another is refused with 2025; once it is done, the same user's resolves
   * `{ repeatLogin: true }`, and another user's is refused with 61004.
   */
  login(options: { userID: string; userSig: string }): Promise<Result<{ repeatLogin?: true }>>;
  logout(): Promise<Result<{}>>;
  destroy(): Promise<Result<{}>>;
  /** From `SDK_READY` to `SDK_NOT_READY`: true while offline too, as in Tencent's SDK. */
  isReady(): boolean;
  /** The signed-in user's ID, `''` when none. */
  getLoginUser(): string;
  /** The message with this `ID` among the last 1,000 this instance heard of or read
   * (received, sent, listed), as it is now; `null` for another. */
  findMessage(messageID: string): Message | null;
  /** The server's time in milliseconds since the Unix epoch: this device's clock set by the
   * server's at sign-in (this device's alone before). */
  getServerTime(): number;
  /** Tencent's levels: 0 everything, 1 release, 2 warnings, 3 errors, 4 nothing, for the whole
   * page. The SDK writes errors it cannot return to a caller (shown at 0 – 3) and warnings of
   * calls that can have no effect (0 – 2). Throws (code 60006) for any other value. */
  setLogLevel(level: 0 | 1 | 2 | 3 | 4): void;
  /** Taken for code written for Tencent's SDK (`{ 'tim-upload-plugin': TIMUploadPlugin }`);
   * Duet uploads media itself and uses no plugin. */
  registerPlugin(plugins: Record<string, unknown>): void;
  createTextMessage(options: CreateMessageOptions<TextPayload>): Message;
  createFaceMessage(options: CreateMessageOptions<{ index: number; data?: string }>): Message;
  createLocationMessage(options: CreateMessageOptions<LocationPayload>): Message;
  /** A new message to `to` with the content of `payload` (a message the SDK gave: sent,
   * received or from history) and its `cloudCustomData` unless given; send it with
   * `sendMessage`. Throws 2454 for a message with nothing to forward (recalled, or its media
   * not uploaded yet). */
  createForwardMessage(options: CreateMessageOptions<Message>): Message;
  createCustomMessage(options: CreateMessageOptions<Partial<CustomPayload>>): Message;
  /** Images up to 28 MB (larger throws code 94001); renditions are made by the server. */
  createImageMessage(options: MediaMessageOptions<{ file: MediaSource }>): Message;
  /** Voice up to 28 MB; `second` when the duration cannot be read from the file. */
  createAudioMessage(options: MediaMessageOptions<{ file: MediaSource; second?: number }>): Message;
  /** Files up to 100 MB, downloaded as attachments. */
  createFileMessage(options: MediaMessageOptions<{ file: MediaSource }>): Message;
  /** Videos up to 100 MB; the duration and a cover frame are taken in the browser. */
  createVideoMessage(options: MediaMessageOptions<{ file: MediaSource }>): Message;
  /** Stops a media message's upload: its `sendMessage` rejects with code 61006. */
  cancelUploadMessage(message: Message): Result<{}>;
  /** Sends `message` and resolves with that same object, updated in place (`status`, `ID`,
   * `time`, `sequence`). Offline, it waits in the outbox (`status` `unSend`) and resolves once
   * it has gone out after reconnecting; `logout` meanwhile rejects it with code 61001. A
   * refusal rejects with the message, now `status` `fail`, in the error's `data.message`. */
  sendMessage(message: Message, options?: SendMessageOptions): Promise<Result<{ message: Message }>>;
  getMessageList(options: {
    conversationID: ConversationID;
    nextReqMessageID?: string;
    count?: number;
  }): Promise<Result<{ messageList: Message[]; nextReqMessageID: string; isCompleted: boolean }>>;
  /** Up to `count` (at most 15, the default) messages from the server next to `time`
   * (seconds; none: now): sent at or before it (`direction` 0, the default) or at or after it
   * (1), oldest first. Asked again from `nextMessageTime`, the next page goes on where this one
   * ended; `''` once complete. */
  getMessageListHopping(options: {
    conversationID: ConversationID;
    time?: number;
    count?: number;
    direction?: 0 | 1;
  }): Promise<Result<{ messageList: Message[]; isCompleted: boolean; nextMessageTime: number | '' }>>;
  /** Every conversation, most recent first; or those a list of IDs names; or those that
   * match each condition given (`groupName`: those in that conversation group; `markType` 0:
   * those without marks; `hasUnreadCount` true: those with unread messages, false: those
   * without). `type: 'GROUP'` and `hasGroupAtInfo: true` match none: Duet has no group chats.
   * `isSyncCompleted` is false while the list is this browser's cache: before `SDK_READY`, or
   * while the connection is lost. */
  getConversationList(options?: ConversationID[] | {
    type?: 'C2C' | 'GROUP';
    markType?: number;
    groupName?: string;
    hasUnreadCount?: boolean;
    hasGroupAtInfo?: boolean;
  }): Promise<Result<{ conversationList: Conversation[]; isSyncCompleted: boolean }>>;
  setMessageRead(options: { conversationID: ConversationID }): Promise<Result<{}>>;
  /** `setMessageRead` for every conversation with unread messages (`TYPES.READ_ALL_MSG`, the
   * default, or `READ_ALL_C2C_MSG`); `READ_ALL_GROUP_MSG` has nothing to do: Duet has no groups. */
  setAllMessageRead(options?: {
    scope?: typeof TYPES.READ_ALL_C2C_MSG | typeof TYPES.READ_ALL_GROUP_MSG | typeof TYPES.READ_ALL_MSG;
  }): Promise<Result<{}>>;
  resendMessage(message: Message): Promise<Result<{ message: Message }>>;
  /** Recalls `message` (the object the app holds, updated in place: `isRevoked`). */
  revokeMessage(message: Message): Promise<Result<{ message: Message }>>;
  /** Edits a sent message changed in place: the `payload` of your own text, face, location or
   * custom message, and the `cloudCustomData` of any message in the conversation. Resolves
   * with the same object, updated (`version`, `modifiedTime`); both users' devices hear
   * `MESSAGE_MODIFIED`. Rejects with code 2480 when it was edited since its `version` (the
   * error's `data.message` is then the newest version, when this browser holds it), 60015
   * for content that cannot be edited (media, or the peer's words). */
  modifyMessage(message: Message): Promise<Result<{ message: Message }>>;
  /** Deletes messages of one conversation from your history on the server and on all your
   * devices; the peer keeps its copy. Resolves the same objects, each now `isDeleted`. */
  deleteMessage(messages: Message[]): Promise<Result<{ messageList: Message[] }>>;
  /** Tells the peers you read these messages (a `MESSAGE_RECEIVED` event's list will do):
   * those of theirs that asked for a read receipt (`needReadReceipt`). Rejects with 2114 when
   * none did. The senders' devices hear `MESSAGE_READ_RECEIPT_RECEIVED`. */
  sendMessageReadReceipt(messages: Message[]): Promise<Result<{}>>;
  /** The same message objects, of one conversation, with `readReceiptInfo` as this browser
   * knows it now. */
  getMessageReadReceiptList(messages: Message[]): Promise<Result<{ messageList: Message[] }>>;
  /** Unread messages over the conversations that notify: a muted one (`setMessageRemindType`)
   * keeps its `unreadCount` out of it, as in Tencent's SDK. */
  getTotalUnreadMessageCount(): number;
  /** The conversations leave your list on all your devices until a newer message comes, with
   * their messages unless `clearHistoryMessage` is false; the peer keeps its copy. */
  deleteConversation(options: string): Promise<Result<{ conversationID: ConversationID }>>;
  deleteConversation(options: { conversationIDList: string[]; clearHistoryMessage?: boolean }): Promise<Result<{ conversationIDList: string[] }>>;
  /** Marks the conversation read, then its messages leave your history on the server and on
   * all your devices; the conversation stays in the list, with no last message. The peer
   * keeps its copy. */
  clearHistoryMessage(conversationID: ConversationID): Promise<Result<{ conversationID: ConversationID }>>;
  /** The conversation: a listed one, or, as in Tencent's SDK, a new one with no message yet
   * and the peer's profile, to open a chat with someone new (it joins the list with its first
   * message). Rejects with 2501 when there is no such user. */
  getConversationProfile(conversationID: ConversationID): Promise<Result<{ conversation: Conversation }>>;
  /** Pins the conversation (first in the list) or unpins it, on all your devices. Code 60016
   * when there is no conversation with that user yet (it starts with a message). */
  pinConversation(options: { conversationID: ConversationID; isPinned: boolean }): Promise<Result<{ conversationID: ConversationID }>>;
  /** Sets (`enableMark` true) or clears one mark on each conversation, for all your devices:
   * `TYPES.CONV_MARK_TYPE_STAR`, `_UNREAD`, `_FOLD`, `_HIDE`, or your app's own, a power of
   * two from 2^32 to 2^63. The marks show in each conversation's `markList`. */
  markConversation(options: { conversationIDList: ConversationID[]; markType: number; enableMark: boolean }): Promise<Result<ConversationChanges>>;
  /** Keeps your app's own data (at most 256 bytes; `''` clears it) as each conversation's
   * `customData`, for all your devices. */
  setConversationCustomData(options: { conversationIDList: ConversationID[]; customData: string }): Promise<Result<ConversationChanges>>;
  /** The names of your conversation groups, by name. */
  getConversationGroupList(): Promise<Result<string[]>>;
  /** A new group of your conversations (a name of 1 to 32 bytes, at most 20 groups: 51010)
   * with these in it, for all your devices. A group is there while a conversation is in it. */
  createConversationGroup(options: { groupName: string; conversationIDList: ConversationID[] }): Promise<Result<ConversationChanges>>;
  addConversationsToGroup(options: { groupName: string; conversationIDList: ConversationID[] }): Promise<Result<ConversationChanges>>;
  deleteConversationsFromGroup(options: { groupName: string; conversationIDList: ConversationID[] }): Promise<Result<ConversationChanges>>;
  /** Its conversations leave the group; they stay in your list. */
  deleteConversationGroup(groupName: string): Promise<Result<ConversationChanges>>;
  renameConversationGroup(options: { oldName: string; newName: string }): Promise<Result<ConversationChanges>>;
  /** Tells the peer you are typing (`typing` true, the default) or stopped: call it on every
   * keystroke, it goes out at most every 3 seconds per conversation, to the devices online
   * now, stored nowhere (TUIKit's `user_typing_status`, so TUIKit clients see it too). */
  sendTypingStatus(options: { conversationID: ConversationID; typing?: boolean }): Promise<Result<{ conversationID: ConversationID }>>;
  /** Keeps the text being written for all your devices (at most 2,048 bytes); an empty text
   * clears it, and so does sending a message in the conversation. */
  setConversationDraft(options: { conversationID: ConversationID; draftText: string }): Promise<Result<{ conversationID: ConversationID }>>;
  /** Adds your reaction (an emoji, or an ID your app maps to one; at most 64 bytes) to a sent
   * message; both users' devices hear `MESSAGE_REACTIONS_UPDATED`. Rejects with 23007 when you
   * reacted so already, 23005 when the message has 20 reactions, 20007 when the peer
   * blacklisted you. */
  addMessageReaction(message: Message, reactionID: string): Promise<Result<{}>>;
  /** Takes your reaction back; 23008 when you had none. */
  removeMessageReaction(message: Message, reactionID: string): Promise<Result<{}>>;
  /** The reactions of messages, as this browser holds them (kept current by sync). */
  getMessageReactions(options: { messageList: Message[]; maxUserCountPerReaction?: number }): Promise<Result<{ resultList: MessageReactions[] }>>;
  /** The users who reacted to a message with one reaction, a page at a time: `count` (1 to
   * 100, 100 unless said) from `nextSeq` (0 first, then the `nextSeq` the last page gave; 0
   * once `isCompleted`), as this browser holds them. */
  getAllUserListOfMessageReaction(options: { message: Message; reactionID: string; nextSeq: number; count?: number }): Promise<Result<{ userList: ReactionUser[]; nextSeq: number; isCompleted: boolean }>>;
  /** Searches the messages this browser holds, offline too. */
  searchLocalMessages(options: SearchOptions): Promise<Result<SearchResult>>;
  /** Searches all of your roaming history on the server (2 searches a second, in bursts of
   * 10; code 60004 past that). */
  searchCloudMessages(options: SearchOptions): Promise<Result<SearchResult>>;
  /** Users' presence as you may see it: `USER_STATUS_UNKNOWN` where the user hid it, has
   * blacklisted you, is not your friend in a friends-only app, or does not exist. */
  getUserStatus(options: { userIDList: string[] }): Promise<Result<UserStatusList>>;
  /** `USER_STATUS_UPDATED` tells of each change of these users' presence (at most 200 at a
   * time), across reconnects until logout. Resolves with their presence now. */
  subscribeUserStatus(options: { userIDList: string[] }): Promise<Result<UserStatusList>>;
  unsubscribeUserStatus(options: { userIDList: string[] }): Promise<Result<UserStatusList>>;
  /** Sets your custom status (at most 100 bytes; `''` clears it) until you set it again or log
   * out of your last device. `USER_STATUS_UPDATED` tells your followers and your devices. */
  setSelfStatus(options: { customStatus: string }): Promise<Result<UserStatus>>;
  /** Hides your presence from everyone (they see `USER_STATUS_UNKNOWN`), or shows it again. */
  setSelfStatusHidden(hidden: boolean): Promise<Result<{}>>;
  getUserProfile(options: { userIDList: string[] }): Promise<Result<Profile[]>>;
  getMyProfile(): Promise<Result<Profile>>;
  updateMyProfile(options: ProfileChange): Promise<Result<Profile>>;
  /** Mutes (`TYPES.MSG_REMIND_ACPT_NOT_NOTE`: messages come, without a push notification) or
   * unmutes (`TYPES.MSG_REMIND_ACPT_AND_NOTE`) conversations, on all of this user's devices. */
  setMessageRemindType(options: {
    userIDList: string[];
    messageRemindType: 'AcceptAndNotify' | 'AcceptNotNotify';
  }): Promise<Result<{ successUserIDList: string[]; failureUserIDList: { userID: string; code: number; message: string }[] }>>;
  /** Quiet hours for offline push, on all of your devices: from today at
   * `startHour:startMinute:startSecond` (local time, default 00:00:00) for `duration` seconds,
   * every day while `isRepeated` (the default; then at most a day). Messages come as always,
   * without a push notification. `messageRemindType` `TYPES.MSG_REMIND_ACPT_NOT_NOTE` (the
   * default) sets them, `MSG_REMIND_ACPT_AND_NOTE` clears them. Your devices hear
   * `ALL_RECEIVE_MESSAGE_OPT_UPDATED`. */
  setAllReceiveMessageOpt(options: {
    messageRemindType?: 'AcceptAndNotify' | 'AcceptNotNotify';
    startHour?: number;
    startMinute?: number;
    startSecond?: number;
    duration?: number;
    isRepeated?: boolean;
  }): Promise<Result<ReceiveMessageOpt>>;
  getAllReceiveMessageOpt(): Promise<Result<ReceiveMessageOpt>>;
  /** Registers this device for offline push: a browser's `PushSubscription` (vendor
   * `webpush`, the default; subscribe with the key from `GET /duet/push/vapid`) or a phone
   * vendor's device token. Without a token the SDK does the browser's part itself: asks for
   * permission, registers the service worker at `serviceWorkerPath` (default `/sw.js`; it
   * shows the notifications, see docs/push.md), subscribes with the server's VAPID key and
   * registers the subscription; fails with 61008 when notifications are blocked or the
   * browser has no push service. A logout ends the device's registrations. */
  registerPush(options: { vendor?: PushVendor; token: string | PushSubscription }): Promise<Result<{}>>;
  registerPush(options?: { serviceWorkerPath?: string }): Promise<Result<{}>>;
  unregisterPush(options?: { vendor?: PushVendor }): Promise<Result<{}>>;
  getFriendList(): Promise<Result<Friend[]>>;
  /** Asks `to` to be friends, following `to`'s `AllowType`: `code` 0 when the friendship was
   * made (`to` lets anyone add it, or had asked you first), 30539 when `to` must accept the
   * application. Fails when `to` refuses all requests (30516) or has blocked you (30525).
   * `remark` names `to` on your friend list once the friendship is made; `to` never sees it. */
  addFriend(options: { to: string; remark?: string; wording?: string; source?: string }): Promise<Result<{ userID: string; code: number; message: string }>>;
  /** Sets the remark you give a friend, on all your devices; resolves the friend. 30001 when
   * not a friend. */
  updateFriend(options: { userID: string; remark: string }): Promise<Result<Friend>>;
  getFriendApplicationList(): Promise<Result<FriendApplicationList>>;
  /** Every application to you so far is read, on all your devices: `unreadCount` 0 in the
   * `FRIEND_APPLICATION_LIST_UPDATED` that follows, until another comes. */
  setFriendApplicationRead(): Promise<Result<{}>>;
  getFriendGroupList(): Promise<Result<FriendGroup[]>>;
  /** Makes the group (at most 32; 30010) and puts the friends in it; `failureUserIDList` holds
   * those who could not join (30001: not a friend). */
  createFriendGroup(options: { name: string; userIDList: string[] }): Promise<Result<FriendGroupChange>>;
  addToFriendGroup(options: { name: string; userIDList: string[] }): Promise<Result<FriendGroupChange>>;
  removeFromFriendGroup(options: { name: string; userIDList: string[] }): Promise<Result<FriendGroupChange>>;
  /** The group goes; its friends stay friends. 60006 when there is no such group. */
  deleteFriendGroup(options: { name: string }): Promise<Result<FriendGroupChange>>;
  /** The group takes the new name, its friends staying in it, on all your devices; 60006 when
   * there is no group `oldName` or one named `newName` already. */
  renameFriendGroup(options: { oldName: string; newName: string }): Promise<Result<FriendGroupChange>>;
  /** `type` `TYPES.SNS_APPLICATION_AGREE_AND_ADD` (the default) makes the friendship both
   * ways, `TYPES.SNS_APPLICATION_AGREE` only on the applicant's side; `remark` goes with your
   * new friend. 30001 when `userID` has not applied. */
  acceptFriendApplication(options: { userID: string; remark?: string; type?: typeof TYPES.SNS_APPLICATION_AGREE | typeof TYPES.SNS_APPLICATION_AGREE_AND_ADD }): Promise<Result<{}>>;
  /** The application leaves both users' lists. */
  refuseFriendApplication(options: { userID: string }): Promise<Result<{}>>;
  /** Drops an application to you (`SNS_APPLICATION_SENT_TO_ME`) or withdraws yours
   * (`SNS_APPLICATION_SENT_BY_ME`), from both users' lists. */
  deleteFriendApplication(options: { userID: string; type: ApplicationType }): Promise<Result<{}>>;
  deleteFriend(options: { userIDList: string[] }): Promise<Result<RelationChange>>;
  /** Whether each user is your friend and you theirs (at most 1,000 users; 90011). With `type`
   * `TYPES.SNS_CHECK_TYPE_SINGLE` only your list is looked at. */
  checkFriend(options: { userIDList: string[]; type?: typeof TYPES.SNS_CHECK_TYPE_BOTH | typeof TYPES.SNS_CHECK_TYPE_SINGLE }): Promise<Result<{
    successUserIDList: { userID: string; code: number; relation: FriendRelation }[];
    failureUserIDList: { userID: string; code: number; message: string }[];
  }>>;
  /** Your friends among the users, with their profiles; the others are in
   * `failureUserIDList` (30001: not a friend). At most 100 friends at a time (90011). */
  getFriendProfile(options: { userIDList: string[] }): Promise<Result<{
    friendList: Friend[];
    failureUserIDList: { userID: string; code: number; message: string }[];
  }>>;
  getBlacklist(): Promise<Result<string[]>>;
  /** Resolves the blacklist as it is now, `[userID]`, as `getBlacklist` does. */
  addToBlacklist(options: { userIDList: string[] }): Promise<Result<string[]>>;
  /** Resolves the blacklist as it is now, `[userID]`. */
  removeFromBlacklist(options: { userIDList: string[] }): Promise<Result<string[]>>;
}

export interface ReactionInfo {
  reactionID: string;
  totalUserCount: number;
  /** Up to `maxUserCountPerReaction` of the users, with `nick` and `avatar` as this browser
   * knows them (you, a profile `getUserProfile` read, the conversation list, the message's
   * sender); empty strings when it knows none. */
  partialUserList: ReactionUser[];
  reactedByMyself: boolean;
}

export interface ReactionUser {
  userID: string;
  nick: string;
  avatar: string;
}

export interface MessageReactions {
  messageID: string;
  conversationID: ConversationID;
  reactionList: ReactionInfo[];
}

export interface SearchOptions {
  /** At most 5 keywords of at most 100 bytes, compared without regard to case. A search names
   * keywords, message types or both. */
  keywordList?: string[];
  keywordListMatchType?: typeof TYPES.KEYWORD_LIST_MATCH_TYPE_OR | typeof TYPES.KEYWORD_LIST_MATCH_TYPE_AND;
  senderUserIDList?: string[];
  messageTypeList?: MessageType[];
  conversationID?: ConversationID;
  /** The newest time searched, seconds since the Unix epoch (0: now). */
  timePosition?: number;
  /** How far back from `timePosition`, in seconds (0: all the way). */
  timePeriod?: number;
  /** 1 to 100; 20 when left out. */
  count?: number;
  /** The last answer's `cursor`, for the next page. */
  cursor?: string;
}

export interface SearchResult {
  /** Newest first, grouped by conversation in the order their newest result comes. */
  searchResultList: { conversationID: ConversationID; messageCount: number; messageList: Message[] }[];
  /** For the next page; '' when nothing more is found. */
  cursor: string;
}

export type UserStatusType = typeof TYPES.USER_STATUS_UNKNOWN | typeof TYPES.USER_STATUS_ONLINE | typeof TYPES.USER_STATUS_OFFLINE;

export interface UserStatus {
  userID: string;
  statusType: UserStatusType;
  /** What the user set with `setSelfStatus` (`''`: nothing, or its presence is unknown). */
  customStatus: string;
  /** When the user's last device went offline, seconds since the Unix epoch (0: unknown, or
   * online now). */
  lastSeenTime: number;
}

/** Quiet hours for offline push (`getAllReceiveMessageOpt`): while `messageRemindType` is
 * `TYPES.MSG_REMIND_ACPT_NOT_NOTE` and the time is between `startTime` and `endTime` (Unix
 * seconds; when `isRepeated`, at that time of day every day), messages come but no push
 * notification does. `MSG_REMIND_ACPT_AND_NOTE`: none set. */
export interface ReceiveMessageOpt {
  messageRemindType: 'AcceptAndNotify' | 'AcceptNotNotify';
  startTime: number;
  endTime: number;
  isRepeated: boolean;
}

export interface UserStatusList {
  successUserList: UserStatus[];
  failureUserList: never[];
}

export interface Profile {
  userID: string;
  nick: string;
  avatar: string;
  gender: 'Gender_Type_Unknown' | 'Gender_Type_Female' | 'Gender_Type_Male';
  /** As the app writes it, e.g. 19900101; 0 when unset. */
  birthday: number;
  location: string;
  selfSignature: string;
  /** What a friend request to this user does. */
  allowType: AllowType;
  language: number;
  messageSettings: number;
  adminForbidType: 'AdminForbid_Type_None';
  level: number;
  role: number;
  /** The app's own fields, `Tag_Profile_Custom_*` as the server's `DUET_PROFILE_CUSTOM_TAGS` allows. */
  profileCustomField: { key: string; value: string }[];
}

export type AllowType = 'AllowType_Type_NeedConfirm' | 'AllowType_Type_AllowAny' | 'AllowType_Type_DenyAny';

/** `updateMyProfile`'s options: the fields to change; the others stay as they are. One refused
 * value (60006) changes nothing. */
export interface ProfileChange {
  nick?: string;
  /** Empty, an `http(s)://` URL, or a `/path` on the server. */
  avatar?: string;
  gender?: Profile['gender'];
  birthday?: number;
  /** At most 64 bytes. */
  location?: string;
  /** At most 500 bytes. */
  selfSignature?: string;
  allowType?: AllowType;
  language?: number;
  messageSettings?: number;
  level?: number;
  role?: number;
  profileCustomField?: { key: string; value: string }[];
}

export interface Friend {
  userID: string;
  /** The remark you gave this friend; empty when none. */
  remark: string;
  /** The names of your friend groups this friend is in. */
  groupList: string[];
  /** The source and wording you added this friend with (`addFriend`); empty when none. */
  source: string;
  wording: string;
  profile: Profile;
  /** Duet keeps no custom friend fields: always empty. */
  friendCustomField: { key: string; value: string }[];
}

export type FriendRelation =
  | typeof TYPES.SNS_TYPE_NO_RELATION
  | typeof TYPES.SNS_TYPE_A_WITH_B
  | typeof TYPES.SNS_TYPE_B_WITH_A
  | typeof TYPES.SNS_TYPE_BOTH_WAY;

export interface FriendGroup {
  /** At most 30 bytes. */
  name: string;
  count: number;
  userIDList: string[];
}

export interface FriendGroupChange {
  /** The group after the change; null once deleted. */
  friendGroup: FriendGroup | null;
  failureUserIDList: { userID: string; code: number; message: string }[];
}

export type ApplicationType = typeof TYPES.SNS_APPLICATION_SENT_TO_ME | typeof TYPES.SNS_APPLICATION_SENT_BY_ME;

export interface FriendApplication {
  userID: string;
  type: ApplicationType;
  /** When it was made, seconds since the Unix epoch. */
  time: number;
  wording: string;
  source: string;
}

export interface FriendApplicationList {
  /** Applications to you first, then yours. */
  applicationList: FriendApplication[];
  /** How many are to you and not read yet (`setFriendApplicationRead`). */
  unreadCount: number;
}

export interface RelationChange {
  successUserIDList: { userID: string }[];
  failureUserIDList: { userID: string; code: number; message: string }[];
}

export declare const EVENT: {
  readonly SDK_READY: 'sdkStateReady';
  readonly SDK_NOT_READY: 'sdkStateNotReady';
  readonly SDK_DESTROY: 'sdkDestroy';
  readonly MESSAGE_RECEIVED: 'onMessageReceived';
  readonly MESSAGE_MODIFIED: 'onMessageModified';
  readonly MESSAGE_REACTIONS_UPDATED: 'onMessageReactionsUpdated';
  readonly USER_STATUS_UPDATED: 'onUserStatusUpdated';
  readonly ALL_RECEIVE_MESSAGE_OPT_UPDATED: 'onAllReceiveMessageOptUpdated';
  readonly MESSAGE_REVOKED: 'onMessageRevoked';
  readonly MESSAGE_READ_BY_PEER: 'onMessageReadByPeer';
  readonly MESSAGE_READ_RECEIPT_RECEIVED: 'onMessageReadReceiptReceived';
  readonly TYPING_STATUS_UPDATED: 'onTypingStatusUpdated';
  readonly CONVERSATION_LIST_UPDATED: 'onConversationListUpdated';
  readonly CONVERSATION_GROUP_LIST_UPDATED: 'onConversationGroupListUpdated';
  readonly CONVERSATION_IN_GROUP_UPDATED: 'onConversationInGroupUpdated';
  readonly TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 'onTotalUnreadMessageCountUpdated';
  readonly PROFILE_UPDATED: 'onProfileUpdated';
  readonly FRIEND_LIST_UPDATED: 'onFriendListUpdated';
  readonly FRIEND_APPLICATION_LIST_UPDATED: 'onFriendApplicationListUpdated';
  readonly FRIEND_GROUP_LIST_UPDATED: 'onFriendGroupListUpdated';
  readonly BLACKLIST_UPDATED: 'blacklistUpdated';
  readonly KICKED_OUT: 'kickedOut';
  readonly NET_STATE_CHANGE: 'netStateChange';
  readonly ERROR: 'error';
};

export declare const TYPES: {
  readonly MSG_TEXT: 'TIMTextElem';
  readonly MSG_FACE: 'TIMFaceElem';
  readonly MSG_LOCATION: 'TIMLocationElem';
  readonly MSG_CUSTOM: 'TIMCustomElem';
  readonly MSG_IMAGE: 'TIMImageElem';
  readonly MSG_AUDIO: 'TIMSoundElem';
  readonly MSG_FILE: 'TIMFileElem';
  readonly MSG_VIDEO: 'TIMVideoFileElem';
  readonly MSG_SYSTEM: 'DuetSystemElem';
  /**
   * Tencent's message priorities, which order a group's messages. `create…Message` takes
   * them and, as Tencent's does for one-to-one messages, keeps none: every message is
   * `'Normal'`.
   */
  readonly MSG_PRIORITY_HIGH: 'High';
  readonly MSG_PRIORITY_NORMAL: 'Normal';
  readonly MSG_PRIORITY_LOW: 'Low';
  readonly MSG_PRIORITY_LOWEST: 'Lowest';
  readonly CONV_C2C: 'C2C';
  /**
   * Tencent's group and system conversation types. Duet has neither: `create…Message`
   * refuses them and `getConversationList({ type })` finds no such conversation.
   */
  readonly CONV_GROUP: 'GROUP';
  readonly CONV_SYSTEM: '@TIM#SYSTEM';
  /** `markConversation`'s `markType`s, and the values of a conversation's `markList`. */
  readonly CONV_MARK_TYPE_STAR: 1;
  readonly CONV_MARK_TYPE_UNREAD: 2;
  readonly CONV_MARK_TYPE_FOLD: 4;
  readonly CONV_MARK_TYPE_HIDE: 8;
  /** `KICKED_OUT`'s `type`: another sign-in replaced this one. */
  readonly KICKED_OUT_MULT_DEVICE: 'multipleDevice';
  /** `KICKED_OUT`'s `type`: the app's backend deleted the account. */
  readonly KICKED_OUT_REST_API: 'REST_API_Kick';
  /** `KICKED_OUT`'s `type`: the UserSig expired; sign in again with a new one. */
  readonly KICKED_OUT_USERSIG_EXPIRED: 'userSigExpired';
  /** `NET_STATE_CHANGE`'s `state`. */
  readonly NET_STATE_CONNECTED: 'connected';
  readonly NET_STATE_CONNECTING: 'connecting';
  readonly NET_STATE_DISCONNECTED: 'disconnected';
  readonly MSG_REMIND_ACPT_AND_NOTE: 'AcceptAndNotify';
  readonly MSG_REMIND_ACPT_NOT_NOTE: 'AcceptNotNotify';
  /** Not supported: `setMessageRemindType` refuses it (60006). */
  readonly MSG_REMIND_DISCARD: 'Discard';
  /** A friend application's `type`: to you, or yours. */
  readonly SNS_APPLICATION_SENT_TO_ME: 'Pendency_Type_ComeIn';
  readonly SNS_APPLICATION_SENT_BY_ME: 'Pendency_Type_SendOut';
  /** `acceptFriendApplication`'s `type`. */
  readonly SNS_APPLICATION_AGREE: 'Response_Action_Agree';
  readonly SNS_APPLICATION_AGREE_AND_ADD: 'Response_Action_AgreeAndAdd';
  /** `checkFriend`'s `type`: both users' friend lists (the default), or yours alone. */
  readonly SNS_CHECK_TYPE_BOTH: 'CheckResult_Type_Both';
  readonly SNS_CHECK_TYPE_SINGLE: 'CheckResult_Type_Single';
  /** `checkFriend`'s `relation`: neither lists the other; only you list the user; only the
   * user lists you; both. */
  readonly SNS_TYPE_NO_RELATION: 'CheckResult_Type_NoRelation';
  readonly SNS_TYPE_A_WITH_B: 'CheckResult_Type_AWithB';
  readonly SNS_TYPE_B_WITH_A: 'CheckResult_Type_BWithA';
  readonly SNS_TYPE_BOTH_WAY: 'CheckResult_Type_BothWay';
  /** `Profile`'s `gender`. */
  readonly GENDER_UNKNOWN: 'Gender_Type_Unknown';
  readonly GENDER_FEMALE: 'Gender_Type_Female';
  readonly GENDER_MALE: 'Gender_Type_Male';
  /** `Profile`'s `allowType`: what a friend request to the user does. */
  readonly ALLOW_TYPE_NEED_CONFIRM: 'AllowType_Type_NeedConfirm';
  readonly ALLOW_TYPE_ALLOW_ANY: 'AllowType_Type_AllowAny';
  readonly ALLOW_TYPE_DENY_ANY: 'AllowType_Type_DenyAny';
  /** `UserStatus`'s `statusType`. */
  readonly USER_STATUS_UNKNOWN: 0;
  readonly USER_STATUS_ONLINE: 1;
  readonly USER_STATUS_OFFLINE: 2;
  /** `keywordListMatchType`: any keyword (the default), or all of them. */
  readonly KEYWORD_LIST_MATCH_TYPE_OR: 0;
  readonly KEYWORD_LIST_MATCH_TYPE_AND: 1;
  /** `setAllMessageRead`'s `scope`. */
  readonly READ_ALL_C2C_MSG: 'readAllC2CMessage';
  readonly READ_ALL_GROUP_MSG: 'readAllGroupMessage';
  readonly READ_ALL_MSG: 'readAllMessage';
};

/**
 * The instance itself, as Tencent's `create` returns it (`await` on it is harmless): the same
 * one for the same `SDKAppID` until `destroy()`, whatever the other options.
 */
export declare function create(options: CreateOptions): Chat;

declare const DuetChat: {
  create: typeof create;
  EVENT: typeof EVENT;
  TYPES: typeof TYPES;
};
export default DuetChat;
