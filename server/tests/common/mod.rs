//! A real server on 127.0.0.1:0 with a temp data dir and a manual clock, and a WebSocket client
//! that speaks the protocol, for the integration tests.
#![allow(dead_code)] // each test binary uses a different part of this harness

use futures_util::{SinkExt, StreamExt};
use protocol::element::TextElem;
use protocol::frame::{ClientFrame, Reply, Request, ServerFrame};
use protocol::{DeviceId, Element, ErrorCode, Message, Seq, SyncEntry, SyncEvent, UserId};
use server::chat::Chat;
use server::clock::{Clock, ManualClock, SystemClock};
use server::config::Config;
use server::identity::AppIdentity;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

pub const SDK_APP_ID: u64 = 1_400_000_042;
pub const SECRET: &str = "test-secret-key";
/// How long a test waits for something that should happen at once.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

pub fn identity() -> AppIdentity {
    AppIdentity {
        sdk_app_id: SDK_APP_ID,
        secret_key: SECRET.into(),
        admin: uid("administrator"),
    }
}

pub fn text(s: &str) -> Vec<Element> {
    vec![Element::Text(TextElem { text: s.into() })]
}

/// A plain text send request.
pub fn send_request(to: &str, random: u32, body: &str) -> Request {
    Request::Send {
        to: uid(to),
        random,
        elements: text(body),
        cloud_custom_data: None,
        online_only: false,
        offline_push_info: None,
        client_time_s: 0,
        need_read_receipt: false,
    }
}

pub fn text_of(m: &Message) -> &str {
    match &m.elements[0] {
        Element::Text(t) => &t.text,
        other => panic!("not text: {other:?}"),
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub chat: Arc<Chat>,
    pub clock: Arc<ManualClock>,
    pub dir: TempDir,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tune: impl FnOnce(&mut Config)) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), tune).await
    }

    /// Starts on an existing data dir (a restart).
    pub async fn start_in(dir: TempDir, tune: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(dir.path().to_owned());
        tune(&mut config);
        let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
        let chat = server::open(config, identity(), clock.clone()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(server::run(listener, chat.clone(), shutdown.clone()));
        Self {
            addr,
            chat,
            clock,
            dir,
            shutdown,
            task,
        }
    }

    /// Shuts down gracefully and hands back the data dir.
    pub async fn stop(self) -> TempDir {
        self.shutdown.cancel();
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("shutdown in time")
            .unwrap()
            .unwrap();
        self.dir
    }

    pub fn sig(&self, user: &str) -> String {
        identity().signer().sign(user, 3600, self.clock.now_s())
    }

    /// Calls a REST command as the administrator; asserts HTTP 200 and returns the JSON reply.
    pub async fn rest(&self, command: &str, body: serde_json::Value) -> serde_json::Value {
        let sig = self.sig("administrator");
        self.rest_raw(
            command,
            &format!("identifier=administrator&usersig={sig}"),
            body.to_string(),
        )
        .await
    }

    /// Calls a REST command with the given identity query and raw body.
    pub async fn rest_raw(&self, command: &str, identity: &str, body: String) -> serde_json::Value {
        rest_at(self.addr, command, identity, body).await
    }

    /// A connected, not yet signed-in client.
    pub async fn connect(&self) -> Client {
        Client::connect(self.addr).await
    }

    /// A signed-in client on device `device`.
    pub async fn login(&self, user: &str, device: &str) -> Client {
        Client::signed_in(self.addr, user, &self.sig(user), device).await
    }
}

/// Calls a REST command on the server at `addr` with the given identity query and raw body;
/// asserts HTTP 200 and returns the JSON reply.
pub async fn rest_at(
    addr: SocketAddr,
    command: &str,
    identity: &str,
    body: String,
) -> serde_json::Value {
    let url = format!(
        "http://{addr}/v4/{command}?sdkappid={SDK_APP_ID}&{identity}&random={}&contenttype=json",
        rand_u32()
    );
    let response = reqwest::Client::new()
        .post(url)
        .body(body)
        .send()
        .await
        .expect("REST call");
    assert_eq!(response.status(), 200, "REST answers are always HTTP 200");
    response.json().await.expect("JSON reply")
}

/// A UserSig of the test identity for `user`, valid for an hour from now (for a server on the
/// system clock, such as a [`BinaryServer`]).
pub fn sign(user: &str) -> String {
    identity().signer().sign(user, 3600, SystemClock.now_s())
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    pushes: VecDeque<Arc<SyncEntry>>,
    pub user: Option<UserId>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Self {
        let url = format!("ws://{addr}/ws");
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .unwrap();
        Self {
            ws,
            next_id: 0,
            pushes: VecDeque::new(),
            user: None,
        }
    }

    /// Connects and signs in; asserts that the sign-in succeeded.
    pub async fn signed_in(addr: SocketAddr, user: &str, sig: &str, device: &str) -> Client {
        let mut c = Client::connect(addr).await;
        let reply = c.login(user, sig, device).await;
        assert!(
            matches!(
                reply,
                ServerFrame::Reply {
                    data: Reply::LoggedIn { .. },
                    ..
                }
            ),
            "{reply:?}"
        );
        c
    }

    pub async fn login(&mut self, user: &str, sig: &str, device: &str) -> ServerFrame {
        self.user = Some(uid(user));
        self.request(Request::Login {
            protocol: protocol::PROTOCOL_VERSION,
            sdk_app_id: SDK_APP_ID,
            user_id: uid(user),
            user_sig: sig.into(),
            device: DeviceId::parse(device).unwrap(),
        })
        .await
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws.send(WsMessage::text(text)).await.unwrap();
    }

    pub async fn send_raw_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(WsMessage::binary(bytes)).await.unwrap();
    }

    /// The next frame that is not a sync push (pushes are kept for [`Client::push`]).
    pub async fn answer(&mut self) -> ServerFrame {
        loop {
            match self.frame().await {
                ServerFrame::Sync { entry } => self.pushes.push_back(entry),
                other => return other,
            }
        }
    }

    /// The next frame, pushes first; `None` when the socket closes or breaks, or nothing comes
    /// for [`WAIT`].
    pub async fn try_frame(&mut self) -> Option<ServerFrame> {
        if let Some(entry) = self.pushes.pop_front() {
            return Some(ServerFrame::Sync { entry });
        }
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .ok()??
                .ok()?;
            match message {
                WsMessage::Text(t) => return serde_json::from_str(t.as_str()).ok(),
                WsMessage::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next server frame of any kind; panics on close or timeout.
    pub async fn frame(&mut self) -> ServerFrame {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("frame in time");
            match msg.expect("socket open").expect("socket ok") {
                WsMessage::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                WsMessage::Close(c) => panic!("closed: {c:?}"),
                _ => continue,
            }
        }
    }

    /// Waits for the socket to close; returns the close code.
    pub async fn closed(&mut self) -> u16 {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("close in time");
            match msg {
                Some(Ok(WsMessage::Close(Some(c)))) => return c.code.into(),
                Some(Ok(WsMessage::Text(t))) => {
                    if let Ok(ServerFrame::Sync { entry }) = serde_json::from_str(t.as_str()) {
                        self.pushes.push_back(entry);
                    }
                }
                Some(Ok(_)) => continue,
                _ => return 1006,
            }
        }
    }

    pub async fn request(&mut self, request: Request) -> ServerFrame {
        self.next_id += 1;
        let id = self.next_id;
        let json = serde_json::to_string(&ClientFrame { id, request }).unwrap();
        self.send_raw(&json).await;
        let answer = self.answer().await;
        match &answer {
            ServerFrame::Reply { id: got, .. } | ServerFrame::Error { id: Some(got), .. } => {
                assert_eq!(*got, id, "answer echoes the request id")
            }
            other => panic!("not an answer: {other:?}"),
        }
        answer
    }

    /// Sends and expects success.
    pub async fn ok(&mut self, request: Request) -> Reply {
        match self.request(request).await {
            ServerFrame::Reply { data, .. } => data,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    /// Sends and expects an error; returns its code.
    pub async fn err(&mut self, request: Request) -> ErrorCode {
        match self.request(request).await {
            ServerFrame::Error { code, .. } => code,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    /// Sends a text; returns the message as the recipient will see it, the sender's sequence
    /// and whether it was a retry.
    pub async fn send_text(&mut self, to: &str, random: u32, body: &str) -> (Message, Seq, bool) {
        let elements = text(body);
        let request = Request::Send {
            to: uid(to),
            random,
            elements: elements.clone(),
            cloud_custom_data: None,
            online_only: false,
            offline_push_info: None,
            client_time_s: 0,
            need_read_receipt: false,
        };
        let Reply::Sent {
            key,
            time_ms,
            seq,
            duplicate,
        } = self.ok(request).await
        else {
            panic!()
        };
        let from = self.user.clone().expect("signed in");
        let message = Message {
            key,
            from,
            to: uid(to),
            time_ms,
            // No composing time was sent: the server's is kept.
            client_time_s: time_ms / 1000,
            random,
            elements,
            cloud_custom_data: None,
            nick: String::new(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        };
        (message, seq, duplicate)
    }

    /// Sends a request and waits for its answer, keeping pushes; `None` when the connection
    /// fails first (the server was killed, say).
    pub async fn try_request(&mut self, request: Request) -> Option<ServerFrame> {
        self.next_id += 1;
        let id = self.next_id;
        let json = serde_json::to_string(&ClientFrame { id, request }).unwrap();
        self.ws.send(WsMessage::text(json)).await.ok()?;
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .ok()??
                .ok()?;
            let WsMessage::Text(text) = message else {
                if message.is_close() {
                    return None;
                }
                continue;
            };
            match serde_json::from_str::<ServerFrame>(text.as_str()).ok()? {
                ServerFrame::Sync { entry } => self.pushes.push_back(entry),
                frame @ (ServerFrame::Reply { id: got, .. }
                | ServerFrame::Error { id: Some(got), .. })
                    if got == id =>
                {
                    return Some(frame);
                }
                _ => {}
            }
        }
    }

    /// Sends a text that the server must refuse; returns the refusal's code.
    pub async fn send_text_err(&mut self, to: &str, random: u32, body: &str) -> ErrorCode {
        self.err(send_request(to, random, body)).await
    }

    /// The next pushed sync entry.
    pub async fn push(&mut self) -> Arc<SyncEntry> {
        if let Some(e) = self.pushes.pop_front() {
            return e;
        }
        match self.frame().await {
            ServerFrame::Sync { entry } => entry,
            other => panic!("expected a push, got {other:?}"),
        }
    }

    pub async fn push_message(&mut self) -> Message {
        match &self.push().await.event {
            SyncEvent::Message { message } => message.clone(),
            other => panic!("expected a message push, got {other:?}"),
        }
    }

    /// Syncs from `after` to the end; returns the entries, the final cursor and whether any
    /// page reported a gap.
    pub async fn sync_all(&mut self, mut after: Seq, page: u32) -> (Vec<SyncEntry>, Seq, bool) {
        let (mut entries, mut gap) = (Vec::new(), false);
        loop {
            let Reply::SyncPage(p) = self.ok(Request::Sync { after, limit: page }).await else {
                panic!()
            };
            gap |= p.gap;
            entries.extend(p.entries);
            after = p.next;
            if p.complete {
                return (entries, after, gap);
            }
        }
    }

    pub async fn history(&mut self, peer: &str, page: u32) -> Vec<Message> {
        let (mut all, mut before) = (Vec::new(), None);
        loop {
            let reply = self
                .ok(Request::History {
                    peer: uid(peer),
                    before,
                    limit: page,
                })
                .await;
            let Reply::History { messages, complete } = reply else {
                panic!("{reply:?}")
            };
            before = messages.last().map(|m| m.key);
            all.extend(messages);
            if complete {
                return all;
            }
        }
    }
}

pub fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::Instant::now()) as u32
}

/// The `ErrorCode` of a REST reply.
pub fn code(reply: &serde_json::Value) -> u64 {
    reply["ErrorCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("no ErrorCode in {reply}"))
}

pub fn messages(entries: &[SyncEntry]) -> Vec<&Message> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            SyncEvent::Message { message } => Some(message),
            _ => None,
        })
        .collect()
}

/// The real `duet-server` binary, started on `127.0.0.1:0` (unless `env` sets `DUET_LISTEN`)
/// with this harness's identity, and killed with SIGKILL when dropped.
pub struct BinaryServer {
    child: std::process::Child,
    pub addr: SocketAddr,
    /// What it printed after it started listening, stdout and stderr, read as it comes (so a
    /// chatty log never fills the pipe and stalls it).
    pub output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl BinaryServer {
    /// Starts the binary on `data_dir` with extra flags and environment. Fails with what it
    /// printed when it exits instead of listening.
    pub fn spawn(
        data_dir: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Self, String> {
        use std::io::{BufRead, BufReader, Read};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_duet-server"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env("DUET_LISTEN", "127.0.0.1:0")
            .env("DUET_SDKAPPID", SDK_APP_ID.to_string())
            .env("DUET_SECRET_KEY", SECRET)
            .env("RUST_LOG", "error")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("duet-server starts");
        let stdout = child.stdout.take().unwrap();
        let mut printed = String::new();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 {
            if let Some(rest) = line.strip_prefix("Duet server on http://") {
                let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
                let output = std::sync::Arc::new(std::sync::Mutex::new(printed));
                let collect = |source: Box<dyn BufRead + Send>| {
                    let output = output.clone();
                    std::thread::spawn(move || {
                        for line in source.lines().map_while(Result::ok) {
                            let mut all = output.lock().unwrap();
                            all.push_str(&line);
                            all.push('\n');
                        }
                    });
                };
                collect(Box::new(reader));
                collect(Box::new(BufReader::new(child.stderr.take().unwrap())));
                return Ok(Self {
                    child,
                    addr,
                    output,
                });
            }
            printed += &line;
            line.clear();
        }
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut printed)
            .unwrap();
        let _ = child.wait();
        Err(printed)
    }

    /// SIGKILL: no shutdown, no checkpoint, no flush.
    /// A client signed in on device `device`.
    pub async fn login(&self, user: &str, device: &str) -> Client {
        Client::signed_in(self.addr, user, &sign(user), device).await
    }

    pub fn kill(self) {
        drop(self);
    }

    /// SIGTERM, the way a supervisor stops it; whether it exited within [`WAIT`].
    pub fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "SIGTERM sent");
        let started = std::time::Instant::now();
        while started.elapsed() < WAIT {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Calls a REST command as the administrator; asserts HTTP 200 and returns the JSON reply.
    pub async fn rest(&self, command: &str, body: serde_json::Value) -> serde_json::Value {
        let identity = format!("identifier=administrator&usersig={}", sign("administrator"));
        rest_at(self.addr, command, &identity, body.to_string()).await
    }
}

/// A new, empty database in the PostgreSQL cluster that `DUET_TEST_POSTGRES_URL` names
/// (`npm test` starts one; `npm run test:server` starts one and prints what to export).
pub fn fresh_database() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let base = std::env::var("DUET_TEST_POSTGRES_URL").expect(
        "DUET_TEST_POSTGRES_URL is not set: `npm test` starts PostgreSQL for these tests, \
         and `npm run test:server` starts one and prints what to export",
    );
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("duet_it_{}_{n}", std::process::id());
    server::storage::sql::create_database(&base, &name).expect("a test database")
}

/// A `nats-server` of the test's own on a free port (JetStream off: the cluster uses core
/// NATS), killed when dropped. `DUET_TEST_NATS_SERVER` names the program when it is not on
/// the PATH (Debian puts it in /usr/sbin).
pub struct Nats {
    child: std::process::Child,
    pub port: u16,
}

impl Nats {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port)
    }

    /// Starts on `port`, waiting until it accepts connections.
    pub fn start_on(port: u16) -> Self {
        let program = std::env::var("DUET_TEST_NATS_SERVER").unwrap_or_else(|_| {
            ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
                .into_iter()
                .find(|p| std::path::Path::new(p).exists())
                .unwrap_or("nats-server")
                .to_owned()
        });
        let child = std::process::Command::new(&program)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program} (npm test installs it): {e}"));
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < WAIT, "nats-server listens on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGKILL, then a new server on the same port.
    pub fn restart(&mut self) {
        self.kill();
        *self = Self::start_on(self.port);
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for BinaryServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The report of a push to every account once it is no longer running: `ask` calls
/// `duet/push_task` with a body on the server to ask.
pub async fn push_ended<F>(
    ask: impl Fn(serde_json::Value) -> F,
    task: &serde_json::Value,
) -> serde_json::Value
where
    F: std::future::Future<Output = serde_json::Value>,
{
    for _ in 0..200 {
        let r = ask(serde_json::json!({"TaskId": task})).await;
        assert_eq!(code(&r), 0, "{r}");
        if r["Status"] != "running" {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("push {task} still running");
}
