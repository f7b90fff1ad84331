//! The operations the writer applies, as its queue carries them, each with the channel its
//! answer goes back on.

use crate::storage::*;
use tokio::sync::oneshot;

pub(in crate::storage::sql) enum Op {
    EnsureUser {
        user: UserId,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<Account>>,
    },
    Send {
        msg: Box<NewMessage>,
        reply: oneshot::Sender<StorageResult<Sent>>,
    },
    MarkRead {
        owner: UserId,
        peer: UserId,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    DeleteMessages {
        owner: UserId,
        peer: UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    DeleteConversation {
        owner: UserId,
        peer: UserId,
        removal: Removal,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    SetConversation {
        owner: UserId,
        peer: UserId,
        change: ConversationChange,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<StateAfter>>,
    },
    Expire {
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<Expired>>,
    },
    Recall {
        key: MessageKey,
        from: UserId,
        to: UserId,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<Message>>,
    },
    Edit {
        edit: MessageEdit,
        reply: oneshot::Sender<StorageResult<Message>>,
    },
    Profile {
        user: UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Account>>,
    },
    Relations {
        change: RelationChange,
        reply: oneshot::Sender<StorageResult<Vec<StorageResult<()>>>>,
    },
    DeleteUser {
        user: UserId,
        deletion: Revocation,
        reply: oneshot::Sender<StorageResult<bool>>,
    },
    SetSetting {
        key: String,
        value: String,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    Update {
        slot: Slot,
        change: Change,
        reply: oneshot::Sender<StorageResult<Result<(), ChatError>>>,
    },
    Kick {
        user: UserId,
        kick: Revocation,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    ProfileTags {
        user: UserId,
        tags: Vec<(String, String)>,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    ApplicationsRead {
        owner: UserId,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    FriendFields {
        owner: UserId,
        peer: UserId,
        fields: Vec<(String, String)>,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<bool>>,
    },
    FriendGroups {
        owner: UserId,
        add: Vec<String>,
        remove: Vec<String>,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    FriendGroupRename {
        owner: UserId,
        old: String,
        new: String,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    PushRegister {
        user: UserId,
        registration: PushRegistration,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    PushUnregister {
        user: UserId,
        device: DeviceId,
        vendor: Option<Vendor>,
        reply: oneshot::Sender<StorageResult<bool>>,
    },
    PushNotices {
        users: Vec<UserId>,
        /// The `OfflinePushInfo`, as JSON.
        info: String,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    PushSettle {
        done: Vec<u64>,
        retry: Vec<(u64, u64)>,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    /// Commit what came before, checkpoint the WAL and stop.
    /// Runs alone, between batches: `VACUUM` cannot run inside a transaction.
    Vacuum {
        reply: oneshot::Sender<StorageResult<Vacuumed>>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// Answers an op that arrived after shutdown began.
pub(super) fn refuse(op: Op) {
    match op {
        Op::EnsureUser { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Send { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::MarkRead { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::DeleteMessages { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::DeleteConversation { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Expire { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::SetConversation { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Recall { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Edit { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Profile { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Relations { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::DeleteUser { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::SetSetting { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Update { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Kick { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::ProfileTags { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::ApplicationsRead { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::FriendGroupRename { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::FriendFields { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::FriendGroups { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushRegister { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushUnregister { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushSettle { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushNotices { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Vacuum { reply } => drop(reply.send(Err(StorageError::Closed))),
        Op::Close { reply } => drop(reply.send(())),
    }
}
