//! Offline push through each phone vendor, against local stand-ins for their services. Each
//! stand-in checks a request as its vendor documents it: the URL, the headers, the signature or
//! JWT verified with the key it belongs to, the access token it issued (and whether it has been
//! withdrawn), and the body's fields. It answers with the vendor's success shape, or, when the
//! test asks, the vendor's shape for an invalid token, a rate limit, a server error or a stale
//! access token. Each test then checks what the server did: the push shown once, retries after
//! backoff, access tokens fetched once and reused until they expire, and the registration
//! dropped when the token is gone.

mod common;

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use common::*;
use protocol::frame::Request;
use server::clock::{Clock, ManualClock};
use server::config::{Config, PushConfig};
use sha2::Digest;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a stand-in is asked to answer to the next push instead of taking it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    InvalidToken,
    RateLimit,
    ServerError,
}

/// What a stand-in answers: the push taken, a fault, or the vendor's "access token no longer
/// valid".
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Taken,
    Fault(Fault),
    StaleAuth,
}

/// A notification as the stand-in read it from the vendor's request.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    title: String,
    body: String,
    badge: Option<u64>,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Fault>,
    /// Access tokens issued (for APNs: provider tokens seen); the first `revoked` withdrawn.
    issued: Vec<String>,
    revoked: usize,
    shown: Vec<Shown>,
    /// What did not match the vendor's documentation.
    faults: Vec<String>,
}

/// A vendor's service, as far as the tests need one.
#[derive(Clone)]
struct StandIn {
    /// The server's clock, once it runs: the stand-in judges times by it.
    clock: Arc<OnceLock<Arc<ManualClock>>>,
    /// The public key that signs the vendor's JWTs (APNs, FCM).
    key: Arc<OnceLock<jsonwebtoken::DecodingKey>>,
    inner: Arc<Mutex<Inner>>,
}

type Checked<T> = Result<T, String>;

fn ensure(ok: bool, what: impl Into<String>) -> Checked<()> {
    if ok { Ok(()) } else { Err(what.into()) }
}

impl StandIn {
    async fn start(router: Router<StandIn>) -> (Self, SocketAddr) {
        let standin = StandIn {
            clock: Arc::default(),
            key: Arc::default(),
            inner: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router.with_state(standin.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (standin, addr)
    }

    fn now_ms(&self) -> u64 {
        self.clock.get().expect("the server runs").now_ms()
    }

    fn then(&self, fault: Fault) {
        self.inner.lock().unwrap().script.push_back(fault);
    }

    fn issue(&self) -> String {
        let token = format!("access-{:016x}", rand::random::<u64>());
        self.inner.lock().unwrap().issued.push(token.clone());
        token
    }

    fn issued(&self) -> usize {
        self.inner.lock().unwrap().issued.len()
    }

    fn revoke_all(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.revoked = inner.issued.len();
    }

    /// Whether `token` is one this service issued and has not withdrawn; an unknown token is
    /// a fault.
    fn current(&self, token: &str) -> Checked<bool> {
        let inner = self.inner.lock().unwrap();
        match inner.issued.iter().position(|t| t == token) {
            Some(i) => Ok(i >= inner.revoked),
            None => Err(format!(
                "an access token this service did not issue: {token}"
            )),
        }
    }

    /// Settles a checked request: stale when its access token was withdrawn, else the next
    /// scripted fault, else the notification is shown. A request that broke the vendor's rules
    /// is recorded and answered as a fault would be.
    fn answer(&self, checked: Checked<(bool, Shown)>) -> Answer {
        let mut inner = self.inner.lock().unwrap();
        match checked {
            Err(fault) => {
                inner.faults.push(fault);
                Answer::Fault(Fault::ServerError)
            }
            Ok((false, _)) => Answer::StaleAuth,
            Ok((true, shown)) => match inner.script.pop_front() {
                Some(fault) => Answer::Fault(fault),
                None => {
                    inner.shown.push(shown);
                    Answer::Taken
                }
            },
        }
    }

    fn fault(&self, what: String) {
        self.inner.lock().unwrap().faults.push(what);
    }

    /// Waits until `n` notifications have been shown; then a moment more to see no extra one.
    async fn expect(&self, n: usize) -> Vec<Shown> {
        for _ in 0..200 {
            if self.inner.lock().unwrap().shown.len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let inner = self.inner.lock().unwrap();
        assert_eq!(inner.faults, Vec::<String>::new(), "requests as documented");
        assert_eq!(inner.shown.len(), n, "notifications shown");
        inner.shown.clone()
    }

    /// Verifies a JWT with the vendor's key; its claims.
    fn verify_jwt(
        &self,
        jwt: &str,
        alg: jsonwebtoken::Algorithm,
    ) -> Checked<jsonwebtoken::TokenData<serde_json::Value>> {
        let mut v = jsonwebtoken::Validation::new(alg);
        v.validate_exp = false; // judged by the server's clock below
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode(jwt, self.key.get().expect("key set"), &v)
            .map_err(|e| format!("the JWT verifies: {e}"))
    }
}

fn json(status: u16, body: serde_json::Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn text(v: &serde_json::Value, what: &str) -> Checked<String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{what} is a string"))
}

fn parse(body: &[u8]) -> Checked<serde_json::Value> {
    serde_json::from_slice(body).map_err(|e| format!("the body is JSON: {e}"))
}

fn hex(digest: impl std::fmt::LowerHex) -> String {
    format!("{digest:x}")
}

/// A vendor as the scenario sees it.
struct Profile {
    vendor: &'static str,
    token: &'static str,
    /// How long its access token lasts; `None`: it has none.
    auth_life: Option<Duration>,
    /// Whether its request carries the badge.
    badge: bool,
}

/// The scenario every vendor goes through: `router` serves as the vendor's stand-in (`key`:
/// the public key its JWTs verify with), and a server that `configure` points at it pushes.
async fn scenario(
    router: Router<StandIn>,
    key: Option<jsonwebtoken::DecodingKey>,
    configure: impl FnOnce(&mut PushConfig, String),
    p: Profile,
) {
    let (standin, addr) = StandIn::start(router).await;
    if let Some(key) = key {
        standin.key.set(key).ok();
    }
    let server =
        TestServer::start_with(|c: &mut Config| configure(&mut c.push, format!("http://{addr}")))
            .await;
    standin.clock.set(server.clock.clone()).ok();
    let (standin, server) = (&standin, &server);
    let vendor = p.vendor;
    server.login("bob", "x").await.ok(Request::Logout).await; // makes the account
    let r = server
        .rest(
            "duet/push_register",
            serde_json::json!({
                "From_Account": "bob", "DeviceID": "phone", "Vendor": vendor, "Token": p.token,
            }),
        )
        .await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    let mut alice = server.login("alice", "web").await;

    alice.send_text("bob", 1, "are you there?").await;
    let shown = standin.expect(1).await;
    let expected = Shown {
        title: "alice".into(),
        body: "are you there?".into(),
        badge: p.badge.then_some(1),
    };
    assert_eq!(shown[0], expected, "{vendor}");
    alice.send_text("bob", 2, "hello?").await;
    let shown = standin.expect(2).await;
    assert_eq!(
        shown[1].badge,
        p.badge.then_some(2),
        "{vendor}: the badge is the unread count"
    );

    if let Some(life) = p.auth_life {
        assert_eq!(standin.issued(), 1, "{vendor}: one access token, reused");
        // Past the token's life, a new one; withdrawn, a new one at once.
        server.clock.advance_ms(life.as_millis() as u64);
        alice.send_text("bob", 3, "later").await;
        standin.expect(3).await;
        assert_eq!(
            standin.issued(),
            2,
            "{vendor}: a new token once the old one expired"
        );
        standin.revoke_all();
        alice.send_text("bob", 4, "withdrawn").await;
        let shown = standin.expect(4).await;
        assert_eq!(shown[3].body, "withdrawn");
        assert_eq!(
            standin.issued(),
            3,
            "{vendor}: a new token when the service calls it stale"
        );
    }

    // A rate limit and a server error are retried after backoff.
    for (random, fault) in [(5, Fault::RateLimit), (6, Fault::ServerError)] {
        standin.inner.lock().unwrap().shown.clear();
        standin.then(fault);
        alice.send_text("bob", random, "busy").await;
        standin.expect(0).await;
        server.clock.advance_ms(2_000);
        let shown = standin.expect(1).await;
        assert_eq!(shown[0].body, "busy", "{vendor}: retried after {fault:?}");
    }
    // An invalid token: the registration is dropped, and nothing more is sent to it.
    standin.inner.lock().unwrap().shown.clear();
    standin.then(Fault::InvalidToken);
    alice.send_text("bob", 7, "gone").await;
    standin.expect(0).await;
    let regs = server
        .chat
        .storage
        .push_registrations(&uid("bob"))
        .await
        .unwrap();
    assert!(regs.is_empty(), "{vendor}: the invalid token is dropped");
    alice.send_text("bob", 8, "nobody listens").await;
    standin.expect(0).await;
}

// --- APNs ---------------------------------------------------------------------------------

const APNS_KEY_ID: &str = "ABC123DEFG";
const APNS_TEAM: &str = "TEAM123456";
const APNS_TOPIC: &str = "com.example.duet";
const APNS_DEVICE: &str = "8f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

async fn apns_push(
    State(s): State<StandIn>,
    Path(device): Path<String>,
    version: Version,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let checked = (|| {
        ensure(
            version == Version::HTTP_2,
            format!("APNs is HTTP/2, got {version:?}"),
        )?;
        ensure(device == APNS_DEVICE, "the device token in the path")?;
        ensure(
            header(&headers, "apns-topic") == APNS_TOPIC,
            "apns-topic is the bundle ID",
        )?;
        ensure(
            header(&headers, "apns-push-type") == "alert",
            "apns-push-type",
        )?;
        let jwt = header(&headers, "authorization")
            .strip_prefix("bearer ")
            .ok_or("authorization: bearer <provider token>")?;
        let data = s.verify_jwt(jwt, jsonwebtoken::Algorithm::ES256)?;
        ensure(
            data.header.kid.as_deref() == Some(APNS_KEY_ID),
            "kid is the key ID",
        )?;
        ensure(data.claims["iss"] == APNS_TEAM, "iss is the team ID")?;
        let iat = data.claims["iat"].as_u64().ok_or("iat")?;
        ensure(
            iat + 3600 > s.now_ms() / 1000,
            "the provider token is under an hour old",
        )?;
        let body = parse(&body)?;
        let alert = &body["aps"]["alert"];
        // Provider tokens are the server's own: those seen count as issued.
        if !s.inner.lock().unwrap().issued.iter().any(|t| t == jwt) {
            s.inner.lock().unwrap().issued.push(jwt.to_owned());
        }
        Ok((
            s.current(jwt)?,
            Shown {
                title: text(&alert["title"], "aps.alert.title")?,
                body: text(&alert["body"], "aps.alert.body")?,
                badge: body["aps"]["badge"].as_u64(),
            },
        ))
    })();
    let reason = |status: u16, reason: &str| json(status, serde_json::json!({ "reason": reason }));
    match s.answer(checked) {
        Answer::Taken => StatusCode::OK.into_response(),
        Answer::StaleAuth => reason(403, "ExpiredProviderToken"),
        Answer::Fault(Fault::InvalidToken) => json(
            410,
            serde_json::json!({ "reason": "Unregistered", "timestamp": s.now_ms() }),
        ),
        Answer::Fault(Fault::RateLimit) => reason(429, "TooManyRequests"),
        Answer::Fault(Fault::ServerError) => reason(503, "ServiceUnavailable"),
    }
}

#[tokio::test]
async fn apns() {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = p256::ecdsa::SigningKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("AuthKey_ABC123DEFG.p8");
    std::fs::write(
        &key_file,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let router = Router::new().route("/3/device/{device}", post(apns_push));
    let key = jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()).unwrap();
    let configure = |p: &mut PushConfig, url| {
        p.push_apns_key_file = Some(key_file.clone());
        p.push_apns_key_id = Some(APNS_KEY_ID.into());
        p.push_apns_team_id = Some(APNS_TEAM.into());
        p.push_apns_topic = Some(APNS_TOPIC.into());
        p.push_apns_url = Some(url);
    };
    // A provider token is used for 50 minutes.
    let apns = Profile {
        vendor: "apns",
        token: APNS_DEVICE,
        auth_life: Some(Duration::from_secs(50 * 60)),
        badge: true,
    };
    scenario(router, Some(key), configure, apns).await;
}

// --- FCM ----------------------------------------------------------------------------------

const FCM_PROJECT: &str = "duet-test";
const FCM_CLIENT: &str = "push@duet-test.iam.gserviceaccount.com";
const FCM_DEVICE: &str = "dXk3:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx";

async fn fcm_token(State(s): State<StandIn>, Form(f): Form<BTreeMap<String, String>>) -> Response {
    let checked = (|| {
        ensure(
            f.get("grant_type").map(String::as_str)
                == Some("urn:ietf:params:oauth:grant-type:jwt-bearer"),
            "grant_type is jwt-bearer",
        )?;
        let data = s.verify_jwt(
            f.get("assertion").ok_or("assertion")?,
            jsonwebtoken::Algorithm::RS256,
        )?;
        ensure(
            data.header.kid.as_deref() == Some("key-1"),
            "kid is private_key_id",
        )?;
        let c = &data.claims;
        ensure(c["iss"] == FCM_CLIENT, "iss is client_email")?;
        ensure(
            c["scope"] == "https://www.googleapis.com/auth/firebase.messaging",
            "scope",
        )?;
        ensure(
            c["aud"].as_str().is_some_and(|a| a.ends_with("/token")),
            "aud is token_uri",
        )?;
        let (iat, exp) = (
            c["iat"].as_u64().ok_or("iat")?,
            c["exp"].as_u64().ok_or("exp")?,
        );
        let now = s.now_ms() / 1000;
        ensure(exp > now && exp <= iat + 3600, "exp within an hour of iat")
    })();
    match checked {
        Ok(()) => json(
            200,
            serde_json::json!({
                "access_token": s.issue(), "expires_in": 3599, "token_type": "Bearer",
            }),
        ),
        Err(e) => {
            s.fault(e);
            json(400, serde_json::json!({ "error": "invalid_grant" }))
        }
    }
}

async fn fcm_send(
    State(s): State<StandIn>,
    Path(project): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let checked = (|| {
        ensure(project == FCM_PROJECT, "the project in the path")?;
        let token = header(&headers, "authorization")
            .strip_prefix("Bearer ")
            .ok_or("Bearer")?;
        let current = s.current(token)?;
        let body = parse(&body)?;
        let m = &body["message"];
        ensure(m["token"] == FCM_DEVICE, "message.token")?;
        ensure(
            m["data"]
                .as_object()
                .is_some_and(|d| d.values().all(|v| v.is_string())),
            "data values are strings",
        )?;
        Ok((
            current,
            Shown {
                title: text(&m["notification"]["title"], "notification.title")?,
                body: text(&m["notification"]["body"], "notification.body")?,
                badge: m["android"]["notification"]["notification_count"].as_u64(),
            },
        ))
    })();
    let error = |code: u16, status: &str, fcm: &str| {
        json(
            code,
            serde_json::json!({ "error": {
                "code": code, "message": status, "status": status,
                "details": [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm }],
            }}),
        )
    };
    match s.answer(checked) {
        Answer::Taken => json(
            200,
            serde_json::json!({
                "name": format!("projects/{FCM_PROJECT}/messages/0:{}", rand::random::<u32>()),
            }),
        ),
        Answer::StaleAuth => json(
            401,
            serde_json::json!({ "error": {
                "code": 401, "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
            }}),
        ),
        Answer::Fault(Fault::InvalidToken) => error(404, "NOT_FOUND", "UNREGISTERED"),
        Answer::Fault(Fault::RateLimit) => error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
        Answer::Fault(Fault::ServerError) => error(503, "UNAVAILABLE", "UNAVAILABLE"),
    }
}

/// PEM of DER bytes.
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[tokio::test]
async fn fcm() {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair;
    let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let private = pem("PRIVATE KEY", key.as_der().unwrap().as_ref());
    let router = Router::new()
        .route("/token", post(fcm_token))
        .route("/v1/projects/{project}/messages:send", post(fcm_send));
    let public = jsonwebtoken::DecodingKey::from_rsa_der(key.public_key().as_ref());
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("service-account.json");
    let configure = |p: &mut PushConfig, url: String| {
        let json = serde_json::json!({
            "type": "service_account", "project_id": FCM_PROJECT, "private_key_id": "key-1",
            "private_key": private, "client_email": FCM_CLIENT, "client_id": "1",
            "token_uri": format!("{url}/token"),
        });
        std::fs::write(&account, json.to_string()).unwrap();
        p.push_fcm_service_account_file = Some(account.clone());
        p.push_fcm_url = Some(url);
    };
    let fcm = Profile {
        vendor: "fcm",
        token: FCM_DEVICE,
        auth_life: Some(Duration::from_secs(3599)),
        badge: true,
    };
    scenario(router, Some(public), configure, fcm).await;
}

// --- Huawei -------------------------------------------------------------------------------

const HUAWEI_APP: &str = "104829183";
const HUAWEI_SECRET: &str = "huawei-secret";
const HUAWEI_DEVICE: &str = "IQAAAACy0kYHAAAxOVuHk5Gmk0Ynh-k8CfzX0FmAvd";

async fn huawei_token(
    State(s): State<StandIn>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).map(String::as_str);
    if get("grant_type") == Some("client_credentials")
        && get("client_id") == Some(HUAWEI_APP)
        && get("client_secret") == Some(HUAWEI_SECRET)
    {
        json(
            200,
            serde_json::json!({ "access_token": s.issue(), "expires_in": 3600, "token_type": "Bearer" }),
        )
    } else {
        s.fault(format!("client credentials: {f:?}"));
        json(
            400,
            serde_json::json!({ "error": 1101, "error_description": "invalid client" }),
        )
    }
}

async fn huawei_send(
    State(s): State<StandIn>,
    Path(app): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let checked = (|| {
        ensure(app == HUAWEI_APP, "the app ID in the path")?;
        let token = header(&headers, "authorization")
            .strip_prefix("Bearer ")
            .ok_or("Bearer")?;
        let current = s.current(token)?;
        let body = parse(&body)?;
        let m = &body["message"];
        ensure(
            m["token"] == serde_json::json!([HUAWEI_DEVICE]),
            "message.token",
        )?;
        let n = &m["android"]["notification"];
        ensure(
            n["click_action"]["type"].as_u64().is_some(),
            "a click action",
        )?;
        ensure(m["data"].is_string(), "data is a string")?;
        Ok((
            current,
            Shown {
                title: text(&n["title"], "android.notification.title")?,
                body: text(&n["body"], "android.notification.body")?,
                badge: n["badge"]["set_num"].as_u64(),
            },
        ))
    })();
    let code = |status: u16, code: &str, msg: &str| {
        json(
            status,
            serde_json::json!({ "code": code, "msg": msg, "requestId": "1" }),
        )
    };
    match s.answer(checked) {
        Answer::Taken => code(200, "80000000", "Success"),
        Answer::StaleAuth => code(401, "80200003", "OAuth token expired"),
        Answer::Fault(Fault::InvalidToken) => code(400, "80300007", "All the tokens are invalid"),
        Answer::Fault(Fault::RateLimit) => code(503, "80300010", "Flow control"),
        Answer::Fault(Fault::ServerError) => code(500, "81000001", "Internal error"),
    }
}

#[tokio::test]
async fn huawei() {
    let router = Router::new()
        .route("/oauth2/v3/token", post(huawei_token))
        .route("/v1/{app}/messages:send", post(huawei_send));
    let configure = |p: &mut PushConfig, url: String| {
        p.push_huawei_app_id = Some(HUAWEI_APP.into());
        p.push_huawei_app_secret = Some(HUAWEI_SECRET.into());
        p.push_huawei_auth_url = Some(url.clone());
        p.push_huawei_url = Some(url);
    };
    let huawei = Profile {
        vendor: "huawei",
        token: HUAWEI_DEVICE,
        auth_life: Some(Duration::from_secs(3600)),
        badge: true,
    };
    scenario(router, None, configure, huawei).await;
}

// --- Xiaomi -------------------------------------------------------------------------------

const XIAOMI_SECRET: &str = "xiaomi-secret==";
const XIAOMI_PACKAGE: &str = "com.example.duet";
const XIAOMI_DEVICE: &str = "Xk2hV0Zx/1fC+9Pj2q3bYQ==";

async fn xiaomi_send(
    State(s): State<StandIn>,
    headers: HeaderMap,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let checked = (|| {
        ensure(
            header(&headers, "authorization") == format!("key={XIAOMI_SECRET}"),
            "Authorization: key=<AppSecret>",
        )?;
        let get = |k: &str| f.get(k).cloned().ok_or(format!("form field {k}"));
        ensure(
            get("restricted_package_name")? == XIAOMI_PACKAGE,
            "restricted_package_name",
        )?;
        ensure(get("registration_id")? == XIAOMI_DEVICE, "registration_id")?;
        ensure(
            get("pass_through")? == "0",
            "a notification, not pass-through",
        )?;
        parse(get("payload")?.as_bytes())?;
        Ok((
            true,
            Shown {
                title: get("title")?,
                body: get("description")?,
                badge: None,
            },
        ))
    })();
    let error = |code: i64, reason: &str| {
        json(
            200,
            serde_json::json!({ "result": "error", "code": code, "reason": reason, "description": reason }),
        )
    };
    match s.answer(checked) {
        Answer::Taken => json(
            200,
            serde_json::json!({
                "result": "ok", "code": 0, "data": { "id": "slm1" }, "description": "成功", "info": "Received push messages for 1 REGID",
            }),
        ),
        Answer::StaleAuth => unreachable!("Xiaomi has no access token"),
        Answer::Fault(Fault::InvalidToken) => error(20301, "No valid targets!"),
        Answer::Fault(Fault::RateLimit) => (StatusCode::TOO_MANY_REQUESTS, "").into_response(),
        Answer::Fault(Fault::ServerError) => (StatusCode::SERVICE_UNAVAILABLE, "").into_response(),
    }
}

#[tokio::test]
async fn xiaomi() {
    let router = Router::new().route("/v3/message/regid", post(xiaomi_send));
    let configure = |p: &mut PushConfig, url| {
        p.push_xiaomi_app_secret = Some(XIAOMI_SECRET.into());
        p.push_xiaomi_package = Some(XIAOMI_PACKAGE.into());
        p.push_xiaomi_url = Some(url);
    };
    let xiaomi = Profile {
        vendor: "xiaomi",
        token: XIAOMI_DEVICE,
        auth_life: None,
        badge: false,
    };
    scenario(router, None, configure, xiaomi).await;
}

// --- OPPO ---------------------------------------------------------------------------------

const OPPO_KEY: &str = "oppo-app-key";
const OPPO_MASTER: &str = "oppo-master-secret";
const OPPO_DEVICE: &str = "CN_8f2a3b4c5d6e7f8091a2b3c4d5e6f708";

async fn oppo_auth(State(s): State<StandIn>, Form(f): Form<BTreeMap<String, String>>) -> Response {
    let checked = (|| {
        let get = |k: &str| f.get(k).cloned().ok_or(format!("form field {k}"));
        ensure(get("app_key")? == OPPO_KEY, "app_key")?;
        let timestamp = get("timestamp")?;
        let ms: u64 = timestamp.parse().map_err(|_| "timestamp in milliseconds")?;
        ensure(
            ms.abs_diff(s.now_ms()) < 600_000,
            "timestamp within ten minutes",
        )?;
        let sign = hex(sha2::Sha256::digest(format!(
            "{OPPO_KEY}{timestamp}{OPPO_MASTER}"
        )));
        ensure(
            get("sign")? == sign,
            "sign = sha256(app_key + timestamp + master_secret)",
        )
    })();
    match checked {
        Ok(()) => json(
            200,
            serde_json::json!({
                "code": 0, "message": "Success",
                "data": { "auth_token": s.issue(), "create_time": s.now_ms() },
            }),
        ),
        Err(e) => {
            s.fault(e);
            json(
                200,
                serde_json::json!({ "code": 14, "message": "Invalid sign" }),
            )
        }
    }
}

async fn oppo_unicast(
    State(s): State<StandIn>,
    headers: HeaderMap,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    let checked = (|| {
        let token = header(&headers, "auth_token");
        let current = s.current(token)?;
        let message = parse(f.get("message").ok_or("form field message")?.as_bytes())?;
        ensure(
            message["target_type"] == 2,
            "target_type 2: a registration ID",
        )?;
        ensure(message["target_value"] == OPPO_DEVICE, "target_value")?;
        let n = &message["notification"];
        Ok((
            current,
            Shown {
                title: text(&n["title"], "notification.title")?,
                body: text(&n["content"], "notification.content")?,
                badge: None,
            },
        ))
    })();
    let code = |code: i64, message: &str| {
        json(200, serde_json::json!({ "code": code, "message": message }))
    };
    match s.answer(checked) {
        Answer::Taken => json(
            200,
            serde_json::json!({
                "code": 0, "message": "Success", "data": { "messageId": "5f1a", "status": "call_success" },
            }),
        ),
        Answer::StaleAuth => code(11, "Invalid AuthToken"),
        Answer::Fault(Fault::InvalidToken) => code(10000, "Invalid RegistrationId"),
        Answer::Fault(Fault::RateLimit) => {
            code(33, "The number of messages exceeds the daily limit")
        }
        Answer::Fault(Fault::ServerError) => code(-1, "Service Currently Unavailable"),
    }
}

#[tokio::test]
async fn oppo() {
    let router = Router::new()
        .route("/server/v1/auth", post(oppo_auth))
        .route(
            "/server/v1/message/notification/unicast",
            post(oppo_unicast),
        );
    let configure = |p: &mut PushConfig, url| {
        p.push_oppo_app_key = Some(OPPO_KEY.into());
        p.push_oppo_master_secret = Some(OPPO_MASTER.into());
        p.push_oppo_url = Some(url);
    };
    let oppo = Profile {
        vendor: "oppo",
        token: OPPO_DEVICE,
        auth_life: Some(Duration::from_secs(24 * 3600)),
        badge: false,
    };
    scenario(router, None, configure, oppo).await;
}

// --- vivo ---------------------------------------------------------------------------------

const VIVO_ID: &str = "10337";
const VIVO_KEY: &str = "vivo-app-key";
const VIVO_SECRET: &str = "vivo-app-secret";
const VIVO_DEVICE: &str = "15501234567890123456789";

async fn vivo_auth(State(s): State<StandIn>, body: axum::body::Bytes) -> Response {
    let checked = (|| {
        let b = parse(&body)?;
        ensure(b["appId"].to_string().trim_matches('"') == VIVO_ID, "appId")?;
        ensure(b["appKey"] == VIVO_KEY, "appKey")?;
        let timestamp = b["timestamp"].as_u64().ok_or("timestamp in milliseconds")?;
        ensure(
            timestamp.abs_diff(s.now_ms()) < 600_000,
            "timestamp within ten minutes",
        )?;
        let sign = hex(md5::Md5::digest(format!(
            "{VIVO_ID}{VIVO_KEY}{timestamp}{VIVO_SECRET}"
        )));
        ensure(
            b["sign"] == sign.as_str(),
            "sign = md5(appId + appKey + timestamp + appSecret)",
        )
    })();
    match checked {
        Ok(()) => json(
            200,
            serde_json::json!({ "result": 0, "desc": "请求成功", "authToken": s.issue() }),
        ),
        Err(e) => {
            s.fault(e);
            json(
                200,
                serde_json::json!({ "result": 10001, "desc": "sign 不正确" }),
            )
        }
    }
}

async fn vivo_send(
    State(s): State<StandIn>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let checked = (|| {
        let current = s.current(header(&headers, "authToken"))?;
        let b = parse(&body)?;
        ensure(b["regId"] == VIVO_DEVICE, "regId")?;
        ensure(
            b["requestId"]
                .as_str()
                .is_some_and(|r| !r.is_empty() && r.len() <= 64),
            "requestId",
        )?;
        ensure(
            b["notifyType"].is_u64() && b["skipType"].is_u64(),
            "notifyType and skipType",
        )?;
        Ok((
            current,
            Shown {
                title: text(&b["title"], "title")?,
                body: text(&b["content"], "content")?,
                badge: None,
            },
        ))
    })();
    let result =
        |result: i64, desc: &str| json(200, serde_json::json!({ "result": result, "desc": desc }));
    match s.answer(checked) {
        Answer::Taken => json(
            200,
            serde_json::json!({ "result": 0, "desc": "请求成功", "taskId": "5f1a" }),
        ),
        Answer::StaleAuth => result(10000, "authToken 已过期"),
        Answer::Fault(Fault::InvalidToken) => result(10302, "regId 不存在"),
        Answer::Fault(Fault::RateLimit) => result(10070, "发送频率过高"),
        Answer::Fault(Fault::ServerError) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "").into_response()
        }
    }
}

#[tokio::test]
async fn vivo() {
    let router = Router::new()
        .route("/message/auth", post(vivo_auth))
        .route("/message/send", post(vivo_send));
    let configure = |p: &mut PushConfig, url| {
        p.push_vivo_app_id = Some(VIVO_ID.into());
        p.push_vivo_app_key = Some(VIVO_KEY.into());
        p.push_vivo_app_secret = Some(VIVO_SECRET.into());
        p.push_vivo_url = Some(url);
    };
    let vivo = Profile {
        vendor: "vivo",
        token: VIVO_DEVICE,
        auth_life: Some(Duration::from_secs(24 * 3600)),
        badge: false,
    };
    scenario(router, None, configure, vivo).await;
}

// --- Meizu --------------------------------------------------------------------------------

const MEIZU_ID: &str = "110029";
const MEIZU_SECRET: &str = "meizu-app-secret";
const MEIZU_DEVICE: &str = "S5Q4b0a4e7f6d7a4b7b7e6f7e6b4f6a7e0";

async fn meizu_push(State(s): State<StandIn>, Form(f): Form<BTreeMap<String, String>>) -> Response {
    let checked = (|| {
        let signed: String = f
            .iter()
            .filter(|(k, _)| *k != "sign")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let sign = hex(md5::Md5::digest(format!("{signed}{MEIZU_SECRET}")));
        ensure(
            f.get("sign") == Some(&sign),
            "sign = md5(sorted k=v pairs + appSecret)",
        )?;
        ensure(
            f.get("appId").map(String::as_str) == Some(MEIZU_ID),
            "appId",
        )?;
        ensure(
            f.get("pushIds").map(String::as_str) == Some(MEIZU_DEVICE),
            "pushIds",
        )?;
        let m = parse(f.get("messageJson").ok_or("messageJson")?.as_bytes())?;
        let bar = &m["noticeBarInfo"];
        Ok((
            true,
            Shown {
                title: text(&bar["title"], "noticeBarInfo.title")?,
                body: text(&bar["content"], "noticeBarInfo.content")?,
                badge: None,
            },
        ))
    })();
    let code = |code: &str, message: &str, value: serde_json::Value| {
        json(
            200,
            serde_json::json!({ "code": code, "message": message, "value": value, "redirect": "" }),
        )
    };
    match s.answer(checked) {
        Answer::Taken => code("200", "", serde_json::json!({})),
        Answer::StaleAuth => unreachable!("Meizu has no access token"),
        Answer::Fault(Fault::InvalidToken) => {
            code("200", "", serde_json::json!({ "110003": [MEIZU_DEVICE] }))
        }
        Answer::Fault(Fault::RateLimit) => code("110010", "请求过于频繁", serde_json::json!({})),
        Answer::Fault(Fault::ServerError) => code("1003", "服务器忙", serde_json::json!({})),
    }
}

#[tokio::test]
async fn meizu() {
    let router = Router::new().route(
        "/garcia/api/server/push/varnished/pushByPushId",
        post(meizu_push),
    );
    let configure = |p: &mut PushConfig, url| {
        p.push_meizu_app_id = Some(MEIZU_ID.into());
        p.push_meizu_app_secret = Some(MEIZU_SECRET.into());
        p.push_meizu_url = Some(url);
    };
    let meizu = Profile {
        vendor: "meizu",
        token: MEIZU_DEVICE,
        auth_life: None,
        badge: false,
    };
    scenario(router, None, configure, meizu).await;
}

#[tokio::test]
async fn a_partly_configured_vendor_stops_the_start_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path().to_owned());
    config.push.push_xiaomi_app_secret = Some("s".into());
    let clock = Arc::new(ManualClock::new(0));
    let e = server::open(config, identity(), clock)
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("DUET_PUSH_XIAOMI_PACKAGE"), "{e}");
}

#[tokio::test]
async fn tokens_are_checked_for_their_vendor() {
    let server = TestServer::start().await;
    server.login("bob", "x").await.ok(Request::Logout).await;
    let register = |vendor: &str, token: &str| {
        server.rest(
            "duet/push_register",
            serde_json::json!({ "From_Account": "bob", "DeviceID": "d", "Vendor": vendor, "Token": token }),
        )
    };
    for (vendor, token) in [
        ("apns", "../../admin"),
        ("apns", "zz12"),
        ("fcm", "a b"),
        ("oppo", "x\ny"),
    ] {
        let r = register(vendor, token).await;
        assert_ne!(r["ErrorCode"], 0, "{vendor} {token:?}: {r}");
    }
    assert_eq!(register("apns", APNS_DEVICE).await["ErrorCode"], 0);
    assert_eq!(register("fcm", FCM_DEVICE).await["ErrorCode"], 0);
}
