//! Editing sent messages: a user's edit (Tencent's `modifyMessage`) and the app backend's
//! (`openim/modify_c2c_msg`). The rules on who may change what live in
//! [`crate::storage::MessageEdit`]; this checks the new content as a send checks it.

use super::Chat;
use crate::error::ChatError;
use crate::storage::{EditChange, MessageEdit};
use protocol::{Element, ErrorCode, Message, MessageKey, UserId};

/// What an edit changes: new content, new custom data, or both.
#[derive(Debug, Clone, Default)]
pub struct EditContent {
    pub elements: Option<Vec<Element>>,
    pub cloud_custom_data: Option<String>,
}

impl Chat {
    /// `editor` edits its message with `peer` (either direction) made from `version`.
    pub async fn edit(
        &self,
        editor: &UserId,
        peer: &UserId,
        key: MessageKey,
        version: u32,
        content: EditContent,
    ) -> Result<Message, ChatError> {
        self.store_edit(editor, peer, key, version, content, false)
            .await
    }

    /// The app's backend edits the message `key` from `from` to `to`, whatever its version.
    pub async fn edit_as_admin(
        &self,
        from: &UserId,
        to: &UserId,
        key: MessageKey,
        content: EditContent,
    ) -> Result<Message, ChatError> {
        self.store_edit(from, to, key, 0, content, true).await
    }

    async fn store_edit(
        &self,
        editor: &UserId,
        peer: &UserId,
        key: MessageKey,
        base_version: u32,
        content: EditContent,
        admin: bool,
    ) -> Result<Message, ChatError> {
        if content.elements.is_none() && content.cloud_custom_data.is_none() {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "an edit changes the elements, the cloud_custom_data or both; it named neither",
            ));
        }
        if let Some(elements) = &content.elements {
            self.config.limits.check_body(elements)?;
            if !admin {
                self.keywords.check(elements)?;
            }
        }
        self.check_custom_data(content.cloud_custom_data.as_deref())?;
        let edit = MessageEdit {
            key,
            editor: editor.clone(),
            peer: peer.clone(),
            admin,
            change: EditChange::Content {
                base_version,
                elements: content.elements,
                cloud_custom_data: content.cloud_custom_data,
            },
            now_ms: self.clock.now_ms(),
        };
        Ok(self.storage.edit(edit).await?)
    }
}
