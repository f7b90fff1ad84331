//! Tickets made by Tencent's public Node signer (`npm tls-sig-api-v2`), stored as a fixture,
//! verify here unchanged.

use usersig::{UserSigError, UserSigKey};

#[derive(serde::Deserialize)]
struct Fixture {
    sdk_app_id: u64,
    secret_key: String,
    identifier: String,
    expire: u64,
    generated_at: u64,
    user_sig: String,
    user_sig_with_userbuf: String,
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("fixtures/tls-sig-api-v2.json")).unwrap()
}

#[test]
fn node_signed_ticket_verifies() {
    let f = fixture();
    let key = UserSigKey::new(f.sdk_app_id, f.secret_key.as_bytes());
    let t = key
        .verify(&f.user_sig, &f.identifier, f.generated_at + 60)
        .unwrap();
    assert_eq!(t.expire, f.expire);
    assert_eq!(t.sdk_app_id, f.sdk_app_id);
    let late = f.generated_at + f.expire + 1;
    assert!(matches!(
        key.verify(&f.user_sig, &f.identifier, late),
        Err(UserSigError::Expired { .. })
    ));
}

#[test]
fn node_signed_ticket_with_userbuf_verifies() {
    let f = fixture();
    let key = UserSigKey::new(f.sdk_app_id, f.secret_key.as_bytes());
    let t = key
        .verify(&f.user_sig_with_userbuf, "bob", f.generated_at)
        .unwrap();
    assert!(t.userbuf.is_some());
    let wrong = UserSigKey::new(f.sdk_app_id, "other");
    assert_eq!(
        wrong.verify(&f.user_sig, &f.identifier, f.generated_at),
        Err(UserSigError::BadSignature)
    );
}

#[test]
fn our_ticket_has_the_node_shape() {
    let f = fixture();
    let key = UserSigKey::new(f.sdk_app_id, f.secret_key.as_bytes());
    let ours = key.sign(&f.identifier, f.expire, f.generated_at);
    let (theirs_t, theirs_sig) = usersig::decode(&f.user_sig).unwrap();
    let (ours_t, ours_sig) = usersig::decode(&ours).unwrap();
    assert_eq!(ours_t, theirs_t);
    // Same content and key give the same HMAC as Tencent's signer.
    assert_eq!(ours_sig, theirs_sig);
}
