//! The protocol document lists every error code the server can send.

use protocol::ErrorCode;

#[test]
fn protocol_doc_lists_every_error_code() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md")).unwrap();
    for code in ErrorCode::ALL {
        let row = format!("| {} | `{}` |", code.0, code.name());
        assert!(doc.contains(&row), "docs/protocol.md lacks the row for {code:?}");
    }
}
