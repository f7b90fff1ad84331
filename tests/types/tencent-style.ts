// Typed use of duet-chat written the way Tencent's web SDK documentation writes it, only the
// import renamed: a port from @tencentcloud/chat must type-check under `tsc --strict` unchanged.
import TencentCloudChat from 'duet-chat';
import type { Conversation, EventObject, Message } from 'duet-chat';

declare const TIMUploadPlugin: unknown;

export async function chatAsTencentDocumentsIt(userSig: string, fileInput: HTMLInputElement): Promise<void> {
  let options = {
    SDKAppID: 1400000000,
    proxyServer: 'wss://chat.example.com',
  };
  let chat = TencentCloudChat.create(options);
  chat.setLogLevel(0);
  chat.registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin });
  const awaited = await TencentCloudChat.create({ SDKAppID: 1400000000, server: 'wss://chat.example.com' });
  awaited.setLogLevel(1);

  const onSdkReady = (_event: EventObject<null>) => {
    console.log('ready');
  };
  const onMessageReceived = (event: EventObject<Message[]>) => {
    const messageList = event.data;
    messageList.forEach((message) => {
      if (message.type === TencentCloudChat.TYPES.MSG_TEXT) {
        console.log(message.from, message.payload, message.isRead);
      }
    });
  };
  chat.on(TencentCloudChat.EVENT.SDK_READY, onSdkReady);
  chat.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, onMessageReceived);
  chat.on(TencentCloudChat.EVENT.CONVERSATION_LIST_UPDATED, (event) => {
    const list: Conversation[] = event.data;
    // TUIKit's conversation list: the peer's remark, else nick, else ID; and its signature.
    console.log(list.map((c) => `${c.remark || c.userProfile.nick || c.userProfile.userID}: ${c.userProfile.selfSignature}`));
  });
  chat.on(TencentCloudChat.EVENT.KICKED_OUT, (event) => {
    if (event.data.type === TencentCloudChat.TYPES.KICKED_OUT_REST_API) {
      console.log('the account was deleted');
    }
  });
  chat.on(TencentCloudChat.EVENT.NET_STATE_CHANGE, (event) => {
    console.log(event.data.state === TencentCloudChat.TYPES.NET_STATE_CONNECTED);
  });

  await chat.login({ userID: 'user0', userSig });
  const me = await chat.getMyProfile();
  console.log(chat.getLoginUser() === me.data.userID, me.data.nick);

  const message = chat.createTextMessage({
    to: 'user1',
    conversationType: TencentCloudChat.TYPES.CONV_C2C,
    priority: TencentCloudChat.TYPES.MSG_PRIORITY_NORMAL,
    payload: { text: 'Hello world!' },
  });

  const imResponse = await chat.sendMessage(message);
  console.log(imResponse.data.message.ID);

  const image = chat.createImageMessage({
    to: 'user1',
    conversationType: TencentCloudChat.TYPES.CONV_C2C,
    payload: { file: fileInput },
    onProgress: (event: number) => console.log('file uploading:', event),
  });
  await chat.sendMessage(image).catch((error: { code: number }) => console.warn(error.code));

  const custom = chat.createCustomMessage({
    to: 'user1',
    conversationType: TencentCloudChat.TYPES.CONV_C2C,
    payload: { data: 'dice', description: String(4), extension: '' },
  });
  await chat.sendMessage(custom, {
    onlineUserOnly: false,
    offlinePushInfo: { disablePush: false, title: 'New message', description: 'A dice roll', extension: '{}', ignoreIOSBadge: true, androidOPPOChannelID: 'chat' },
  });
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: 'BP…' });
  await chat.registerPush({ token: subscription });
  await chat.registerPush({ vendor: 'apns', token: 'device-token' });
  await chat.unregisterPush({ vendor: 'apns' });
  const typing = chat.createCustomMessage({ to: 'user1', payload: { data: 'typing' } });
  await chat.sendMessage(typing, { onlineUserOnly: true });

  const list = await chat.getMessageList({ conversationID: 'C2Cuser1' });
  const { messageList, nextReqMessageID, isCompleted } = list.data;
  // A recall's tip, as TUIKit draws it.
  messageList.filter((m) => m.isRevoked).forEach((revoked) => {
    const who = revoked.revoker === chat.getLoginUser() ? 'You' : revoked.revokerInfo.nick || revoked.revoker;
    console.log(`${who} recalled a message`, revoked.revokeReason, revoked.priority, revoked.isDeleted);
  });
  if (!isCompleted) {
    await chat.getMessageList({ conversationID: 'C2Cuser1', nextReqMessageID });
  }
  const kept = chat.findMessage(messageList[0].ID);
  if (kept !== null) console.log(kept.type, kept.payload);
  const serverNow: number = chat.getServerTime();
  console.log(new Date(serverNow).toISOString());
  const forward = chat.createForwardMessage({ to: 'user2', conversationType: TencentCloudChat.TYPES.CONV_C2C, payload: messageList[0] });
  await chat.sendMessage(forward);
  const edited = messageList[0];
  if (edited.type === TencentCloudChat.TYPES.MSG_TEXT) {
    edited.payload = { text: 'Hello Tencent' };
  }
  edited.cloudCustomData = JSON.stringify({ messageReply: { messageID: messageList[1].ID } });
  chat.on(TencentCloudChat.EVENT.MESSAGE_MODIFIED, (event) => {
    console.log(event.data[0].version, event.data[0].modifiedTime);
  });
  try {
    const { message } = (await chat.modifyMessage(edited)).data;
    console.log(message.version);
  } catch (error) {
    if ((error as { code: number }).code === 2480) console.log('edited elsewhere first');
  }
  await chat.revokeMessage(messageList[0]);
  const removed = await chat.deleteMessage([messageList[1]]);
  console.log(removed.data.messageList[0].isDeleted);
  await chat.setMessageRead({ conversationID: 'C2Cuser1' });
  await chat.setAllMessageRead({ scope: TencentCloudChat.TYPES.READ_ALL_C2C_MSG });
  await chat.setAllMessageRead();
  const conversations = await chat.getConversationList();
  // As Tencent's guide reads it: whether the list came from the server yet.
  const isSyncCompleted: boolean = conversations.data.isSyncCompleted;
  console.log(isSyncCompleted);
  chat.on(TencentCloudChat.EVENT.TYPING_STATUS_UPDATED, (event) => {
    if (event.data.typing) console.log(`${event.data.userID} is typing in ${event.data.conversationID}`);
  });
  await chat.sendTypingStatus({ conversationID: 'C2Cuser1' });
  await chat.sendTypingStatus({ conversationID: 'C2Cuser1', typing: false });
  await chat.pinConversation({ conversationID: 'C2Cuser1', isPinned: true });
  await chat.setConversationDraft({ conversationID: 'C2Cuser1', draftText: 'see you' });
  const first = conversations.data.conversationList[0];
  const preview = first.lastMessage ? `${first.lastMessage.messageForShow} ${new Date(first.lastMessage.lastTime * 1000)}` : '';
  console.log(preview, first.lastMessage?.fromAccount, first.lastMessage?.lastSequence);
  if (first.isPinned) console.log(first.draftText);
  const marked = await chat.markConversation({
    conversationIDList: ['C2Cuser1', 'C2Cuser2'],
    markType: TencentCloudChat.TYPES.CONV_MARK_TYPE_STAR,
    enableMark: true,
  });
  marked.data.failureConversationIDList.forEach((f) => console.log(f.conversationID, f.code, f.message));
  await chat.setConversationCustomData({ conversationIDList: ['C2Cuser1'], customData: 'folder:work' });
  const grouped = await chat.createConversationGroup({ conversationIDList: ['C2Cuser1'], groupName: 'Suppliers' });
  console.log(grouped.data.successConversationIDList);
  await chat.addConversationsToGroup({ conversationIDList: ['C2Cuser2'], groupName: 'Suppliers' });
  await chat.deleteConversationsFromGroup({ conversationIDList: ['C2Cuser2'], groupName: 'Suppliers' });
  const { conversationID } = (await chat.deleteConversation('C2Cuser3')).data;
  const { conversationIDList } = (await chat.deleteConversation({ conversationIDList: ['C2Cuser4'], clearHistoryMessage: false })).data;
  console.log(conversationID, conversationIDList.length);
  await chat.renameConversationGroup({ oldName: 'Suppliers', newName: 'Vendors' });
  const groupNames: string[] = (await chat.getConversationGroupList()).data;
  const vendors = await chat.getConversationList({ groupName: 'Vendors' });
  console.log(groupNames, vendors.data.conversationList.map((c) => c.conversationGroupList.join()));
  await chat.deleteConversationGroup('Vendors');
  chat.on(TencentCloudChat.EVENT.CONVERSATION_GROUP_LIST_UPDATED, (event) => console.log(event.data.join()));
  chat.on(TencentCloudChat.EVENT.CONVERSATION_IN_GROUP_UPDATED, (event) => {
    const { groupName, conversationList } = event.data;
    console.log(groupName, conversationList.length);
  });
  const starred = await chat.getConversationList({ markType: TencentCloudChat.TYPES.CONV_MARK_TYPE_STAR });
  const some = await chat.getConversationList(['C2Cuser1', 'C2Cuser2']);
  const unread = await chat.getConversationList({ type: TencentCloudChat.TYPES.CONV_C2C, hasUnreadCount: true });
  if (starred.data.conversationList[0]?.markList.includes(TencentCloudChat.TYPES.CONV_MARK_TYPE_STAR)) {
    console.log(starred.data.conversationList[0].customData, some.data.conversationList.length, unread.data.conversationList.length);
  }
  await chat.deleteConversation('C2Cuser9');
  await chat.deleteConversation({ conversationIDList: ['C2Cuser8'], clearHistoryMessage: false });
  console.log(conversations.data.conversationList.length, chat.getTotalUnreadMessageCount());
  const profiles = await chat.getUserProfile({ userIDList: ['user1'] });
  console.log(profiles.data[0].nick);
  await chat.updateMyProfile({ nick: 'me', avatar: 'https://example.com/me.png' });
  const mine = await chat.updateMyProfile({
    gender: TencentCloudChat.TYPES.GENDER_MALE,
    selfSignature: 'Hello',
    allowType: TencentCloudChat.TYPES.ALLOW_TYPE_ALLOW_ANY,
    birthday: 19900101,
    profileCustomField: [{ key: 'Tag_Profile_Custom_Hobby', value: 'chess' }],
  });
  console.log(mine.data.gender === TencentCloudChat.TYPES.GENDER_MALE, mine.data.selfSignature, mine.data.profileCustomField[0]?.value);
  await chat.addToBlacklist({ userIDList: ['user2'] });
  const added = await chat.addFriend({ to: 'user3', source: 'AddSource_Type_Web', wording: 'Hi!', remark: 'Three' });
  if (added.data.code === 30539) console.log('waiting for user3');
  chat.on(TencentCloudChat.EVENT.FRIEND_APPLICATION_LIST_UPDATED, (event) => {
    const { applicationList, unreadCount } = event.data;
    console.log(unreadCount, applicationList.filter((a) => a.type === TencentCloudChat.TYPES.SNS_APPLICATION_SENT_TO_ME));
  });
  const applications = await chat.getFriendApplicationList();
  if (applications.data.unreadCount > 0) await chat.setFriendApplicationRead();
  for (const application of applications.data.applicationList) {
    if (application.type === TencentCloudChat.TYPES.SNS_APPLICATION_SENT_TO_ME) {
      await chat.acceptFriendApplication({ userID: application.userID, remark: 'New friend', type: TencentCloudChat.TYPES.SNS_APPLICATION_AGREE_AND_ADD });
    } else {
      await chat.deleteFriendApplication({ userID: application.userID, type: TencentCloudChat.TYPES.SNS_APPLICATION_SENT_BY_ME });
    }
  }
  await chat.refuseFriendApplication({ userID: 'user4' });
  const updated = await chat.updateFriend({ userID: 'user3', remark: 'Old friend' });
  console.log(updated.data.remark, updated.data.profile.nick);
  const created = await chat.createFriendGroup({ name: 'work', userIDList: ['user3'] });
  console.log(created.data.friendGroup?.count, created.data.failureUserIDList.map((f) => f.code));
  await chat.addToFriendGroup({ name: 'work', userIDList: ['user5'] });
  await chat.removeFromFriendGroup({ name: 'work', userIDList: ['user5'] });
  const groups = await chat.getFriendGroupList();
  console.log(groups.data.map((g) => `${g.name}: ${g.userIDList.join(', ')}`));
  const renamed = await chat.renameFriendGroup({ oldName: 'work', newName: 'office' });
  console.log(renamed.data.friendGroup?.name);
  await chat.deleteFriendGroup({ name: 'office' });
  const friends = await chat.getFriendList();
  console.log(friends.data.map((f) => `${f.remark || f.profile.nick || f.userID} ${f.groupList.join(', ')}`));
  const [newest] = (await chat.getMessageList({ conversationID: 'C2Cuser1' })).data.messageList;
  if (newest) {
    await chat.addMessageReaction(newest, '👍');
    await chat.removeMessageReaction(newest, '👍');
    const reactions = await chat.getMessageReactions({ messageList: [newest], maxUserCountPerReaction: 5 });
    for (const { messageID, reactionList } of reactions.data.resultList) {
      console.log(messageID, reactionList.map((r) => `${r.reactionID} ${r.totalUserCount} ${r.reactedByMyself}`));
    }
    const { userList, nextSeq, isCompleted } = (await chat.getAllUserListOfMessageReaction({
      message: newest, reactionID: '👍', nextSeq: 0, count: 30,
    })).data;
    console.log(userList.map((u) => `${u.userID} ${u.nick} ${u.avatar}`), nextSeq, isCompleted);
  }
  // Read receipts, as Tencent's read receipt guide writes them.
  const receipted = chat.createTextMessage({
    to: 'user1',
    conversationType: TencentCloudChat.TYPES.CONV_C2C,
    payload: { text: 'Hello world!' },
    needReadReceipt: true,
  });
  await chat.sendMessage(receipted);
  chat.on(TencentCloudChat.EVENT.MESSAGE_READ_RECEIPT_RECEIVED, (event) => {
    event.data.forEach((item) => console.log(item.conversationID, item.messageID, item.isPeerRead, item.timestamp));
  });
  const incoming = (await chat.getMessageList({ conversationID: 'C2Cuser1' })).data.messageList
    .filter((m) => m.flow === 'in' && m.needReadReceipt);
  if (incoming.length > 0) await chat.sendMessageReadReceipt(incoming);
  const receipts = await chat.getMessageReadReceiptList([receipted]);
  console.log(receipts.data.messageList.map((m) => `${m.ID} ${m.readReceiptInfo.isPeerRead} ${m.readReceiptInfo.timestamp}`));
  chat.on(TencentCloudChat.EVENT.MESSAGE_REACTIONS_UPDATED, (event) => {
    console.log(event.data.messageID, event.data.reactionList[0]?.partialUserList[0]?.userID);
  });
  const found = await chat.searchCloudMessages({
    keywordList: ['hello', 'world'],
    keywordListMatchType: TencentCloudChat.TYPES.KEYWORD_LIST_MATCH_TYPE_AND,
    messageTypeList: [TencentCloudChat.TYPES.MSG_TEXT],
    conversationID: 'C2Cuser1',
  });
  for (const result of found.data.searchResultList) console.log(result.conversationID, result.messageCount, result.messageList[0]?.ID);
  if (found.data.cursor) await chat.searchLocalMessages({ keywordList: ['hello'], cursor: found.data.cursor, count: 50 });
  const statuses = await chat.getUserStatus({ userIDList: ['user1'] });
  console.log(statuses.data.successUserList.map((s) => s.statusType === TencentCloudChat.TYPES.USER_STATUS_ONLINE));
  await chat.subscribeUserStatus({ userIDList: ['user1'] });
  chat.on(TencentCloudChat.EVENT.USER_STATUS_UPDATED, (event) => {
    for (const s of event.data) console.log(s.userID, s.statusType, s.customStatus, s.lastSeenTime);
  });
  const myStatus = await chat.setSelfStatus({ customStatus: 'listening to music' });
  console.log(myStatus.data.userID, myStatus.data.customStatus);
  await chat.unsubscribeUserStatus({ userIDList: ['user1'] });
  await chat.setSelfStatusHidden(true);
  await chat.setAllReceiveMessageOpt({
    messageRemindType: TencentCloudChat.TYPES.MSG_REMIND_ACPT_NOT_NOTE,
    startHour: 22,
    startMinute: 0,
    startSecond: 0,
    duration: 8 * 3600,
  });
  const quiet = await chat.getAllReceiveMessageOpt();
  console.log(quiet.data.messageRemindType, quiet.data.startTime, quiet.data.endTime, quiet.data.isRepeated);
  chat.on(TencentCloudChat.EVENT.ALL_RECEIVE_MESSAGE_OPT_UPDATED, (event) => console.log(event.data.endTime));
  await chat.setAllReceiveMessageOpt({ messageRemindType: TencentCloudChat.TYPES.MSG_REMIND_ACPT_AND_NOTE });
  chat.off(TencentCloudChat.EVENT.MESSAGE_RECEIVED, onMessageReceived);
  await chat.logout();
}
