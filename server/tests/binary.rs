//! How the `duet-server` binary takes its configuration: the secret key never on the command
//! line, switches written `1`/`0` as the README does, and the development UserSig endpoint only
//! on loopback.

mod common;

use common::*;

fn data() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn the_secret_key_is_never_a_command_line_flag() {
    let dir = data();
    let refused = BinaryServer::spawn(dir.path(), &["--secret-key", "visible-in-ps"], &[]);
    assert!(refused.err().unwrap().contains("--secret-key"));
    let file = dir.path().join("key");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let server = BinaryServer::spawn(
        dir.path(),
        &["--secret-key-file", file.to_str().unwrap()],
        &[("DUET_SECRET_KEY", "")],
    );
    assert!(server.is_ok(), "{:?}", server.err());
    let both = BinaryServer::spawn(
        dir.path(),
        &["--secret-key-file", file.to_str().unwrap()],
        &[],
    );
    assert!(both.err().unwrap().contains("not both"));
}

#[test]
fn switches_take_1_and_0_as_the_readme_writes_them() {
    for value in ["1", "0", "true", "false"] {
        let dir = data();
        let started = BinaryServer::spawn(dir.path(), &[], &[("DUET_FRIENDS_ONLY", value)]);
        assert!(
            started.is_ok(),
            "DUET_FRIENDS_ONLY={value}: {:?}",
            started.err()
        );
    }
}

#[test]
fn the_development_endpoint_keeps_to_loopback() {
    let dir = data();
    let anywhere = [("DUET_DEV_USERSIG", "1"), ("DUET_LISTEN", "0.0.0.0:0")];
    let refused = BinaryServer::spawn(dir.path(), &[], &anywhere);
    assert!(refused.err().unwrap().contains("loopback"));
    let insisted = BinaryServer::spawn(dir.path(), &["--dev-usersig-any-address"], &anywhere);
    assert!(insisted.is_ok(), "{:?}", insisted.err());
    // One server per data dir: this one stops before the next starts.
    drop(insisted);
    let local = BinaryServer::spawn(dir.path(), &[], &[("DUET_DEV_USERSIG", "1")]);
    assert!(local.is_ok(), "{:?}", local.err());
}

#[test]
fn a_second_server_on_a_data_dir_in_use_is_refused() {
    let dir = data();
    let first = BinaryServer::spawn(dir.path(), &[], &[]).unwrap();
    let second = BinaryServer::spawn(dir.path(), &[], &[]);
    let why = second.err().expect("refused");
    assert!(why.contains("in use by another process"), "{why}");
    drop(first);
    BinaryServer::spawn(dir.path(), &[], &[]).expect("free once the first has stopped");
}
