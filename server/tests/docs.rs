//! The protocol and REST documents list every error code the server can send.

use protocol::ErrorCode;

fn doc(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../docs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Codes only the WebSocket protocol uses.
const WEBSOCKET_ONLY: [ErrorCode; 10] = [
    ErrorCode::CONVERSATION_GROUPS_FULL,
    ErrorCode::REACTION_LIMIT,
    ErrorCode::REACTION_EXISTS,
    ErrorCode::REACTION_NOT_FOUND,
    ErrorCode::EDIT_CONFLICT,
    ErrorCode::NOT_LOGGED_IN,
    ErrorCode::ALREADY_LOGGED_IN,
    ErrorCode::UNSUPPORTED_VERSION,
    ErrorCode::FRIEND_REFUSED_BY_BACKEND,
    ErrorCode::BLOCKED_WORD,
];

#[test]
fn rest_doc_lists_every_rest_error_code() {
    let doc = doc("rest-api.md");
    for code in ErrorCode::ALL
        .iter()
        .filter(|c| !WEBSOCKET_ONLY.contains(c))
    {
        let row = format!("| {} | `{}` |", code.0, code.name());
        assert!(
            doc.contains(&row),
            "docs/rest-api.md lacks the row for {code:?}"
        );
    }
}

#[test]
fn protocol_doc_lists_every_error_code() {
    let doc = doc("protocol.md");
    for code in ErrorCode::ALL {
        let row = format!("| {} | `{}` |", code.0, code.name());
        assert!(
            doc.contains(&row),
            "docs/protocol.md lacks the row for {code:?}"
        );
    }
}
