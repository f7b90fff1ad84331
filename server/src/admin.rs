//! `duet-server admin`: the administrator's commands, each one REST command (or a series of
//! pages of one). With `--server` they go over HTTP to a running server, signed with the
//! administrator's UserSig; without it they run in this process on the data dir, through the
//! same REST dispatch, which the data dir's lock allows only while no server runs on it. Either
//! way one rule answers: the REST command's.
//!
//! Output is JSON, one object a line, for people and scripts alike.

use crate::chat::Chat;
use protocol::UserId;
use protocol::rest::MAX_ACCOUNT_PAGE;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// How long one call may take over HTTP; a vacuum of a large database is the longest.
const CALL_TIMEOUT: Duration = Duration::from_secs(600);
/// Messages per page of an export.
const EXPORT_PAGE: u32 = 100;

/// What an admin command does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// List accounts in ID order, one JSON line each.
    Users {
        /// Start at this account ID.
        #[arg(long)]
        from: Option<String>,
        /// List at most this many.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Show an account: profile, newest sync sequence (an up-to-date device's cursor), devices
    /// signed in now, push registrations.
    User { user: String },
    /// Delete accounts (sign-ins end; their messages stay with their peers).
    DeleteUsers {
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// Export the roaming history between two users as JSON lines, newest first.
    Export { user: String, peer: String },
    /// Allow messages between friends only (`on`) or between anyone (`off`).
    FriendsOnly {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Run an expiry pass now.
    Expire,
    /// Give the space of deleted data back to the file system (writes wait meanwhile).
    Vacuum,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Transport(String),
    #[error("{command} failed: {code} {info}")]
    Refused {
        command: String,
        code: i64,
        info: String,
    },
}

/// Where the commands run.
pub enum Target {
    /// A running server at `base` (`http://host:port`).
    Server {
        base: String,
        admin: UserId,
        user_sig: String,
        sdk_app_id: u64,
        client: reqwest::Client,
    },
    /// This process, on a data dir no server is using.
    Local(Arc<Chat>),
}

impl Target {
    pub fn server(base: &str, admin: UserId, user_sig: String, sdk_app_id: u64) -> Self {
        let client = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .expect("an HTTP client builds");
        Target::Server {
            base: base.trim_end_matches('/').to_owned(),
            admin,
            user_sig,
            sdk_app_id,
            client,
        }
    }

    /// Runs the REST command `command` (`service/command`) and returns its answer, or its
    /// refusal as an error.
    pub async fn call(&self, command: &str, body: Value) -> Result<Value, AdminError> {
        let bytes = match self {
            Target::Server {
                base,
                admin,
                user_sig,
                sdk_app_id,
                client,
            } => {
                let url = format!(
                    "{base}/v4/{command}?sdkappid={sdk_app_id}&identifier={admin}&usersig={user_sig}&random={}&contenttype=json",
                    rand::random::<u32>()
                );
                let answer = client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .map_err(|e| AdminError::Transport(format!("{base}: {e}")))?;
                answer
                    .bytes()
                    .await
                    .map_err(|e| AdminError::Transport(format!("{base}: {e}")))?
            }
            Target::Local(chat) => {
                let body = axum::body::Bytes::from(body.to_string());
                let base = crate::media::public_base(chat, &axum::http::HeaderMap::new());
                let response = match crate::rest::dispatch(chat, command, &body, &base).await {
                    Ok(response) => response,
                    Err(e) => {
                        return Err(AdminError::Refused {
                            command: command.to_owned(),
                            code: i64::from(e.code.0),
                            info: e.message,
                        });
                    }
                };
                axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .map_err(|e| AdminError::Transport(e.to_string()))?
            }
        };
        let answer: Value = serde_json::from_slice(&bytes)
            .map_err(|e| AdminError::Transport(format!("{command}: not JSON: {e}")))?;
        if answer["ActionStatus"] != "OK" {
            return Err(AdminError::Refused {
                command: command.to_owned(),
                code: answer["ErrorCode"].as_i64().unwrap_or(-1),
                info: answer["ErrorInfo"].as_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(answer)
    }
}

/// Runs `action` on `target`, writing its result to `out`.
pub async fn run(target: &Target, action: Action, out: &mut dyn Write) -> Result<(), AdminError> {
    let line = |out: &mut dyn Write, v: &Value| {
        writeln!(out, "{v}").map_err(|e| AdminError::Transport(format!("output: {e}")))
    };
    match action {
        Action::Users { from, limit } => {
            let (mut next, mut left) = (from, limit.unwrap_or(u64::MAX));
            while left > 0 {
                let page = left.min(u64::from(MAX_ACCOUNT_PAGE));
                let mut body = json!({ "Limit": page });
                if let Some(n) = &next {
                    body["Next"] = json!(n);
                }
                let answer = target.call("duet/account_list", body).await?;
                for account in answer["Accounts"].as_array().into_iter().flatten() {
                    line(out, account)?;
                    left -= 1;
                }
                next = answer["Next"].as_str().map(str::to_owned);
                if next.is_none() {
                    break;
                }
            }
        }
        Action::User { user } => {
            let mut answer = target
                .call("duet/account_get", json!({ "UserID": user }))
                .await?;
            strip_status(&mut answer);
            line(out, &answer)?;
        }
        Action::DeleteUsers { users } => {
            let items: Vec<Value> = users.iter().map(|u| json!({ "UserID": u })).collect();
            let answer = target
                .call(
                    "im_open_login_svc/account_delete",
                    json!({ "DeleteItem": items }),
                )
                .await?;
            let mut failed = None;
            for item in answer["ResultItem"].as_array().into_iter().flatten() {
                line(out, item)?;
                let code = item["ResultCode"].as_i64().unwrap_or(-1);
                if code != 0 && failed.is_none() {
                    failed = Some(AdminError::Refused {
                        command: format!("deleting {}", item["UserID"]),
                        code,
                        info: item["ResultInfo"].as_str().unwrap_or_default().to_owned(),
                    });
                }
            }
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Action::Export { user, peer } => {
            let mut before = String::new();
            loop {
                let answer = target
                    .call(
                        "openim/admin_getroammsg",
                        json!({
                            "Operator_Account": user,
                            "Peer_Account": peer,
                            "MaxCnt": EXPORT_PAGE,
                            "MinTime": 0,
                            "MaxTime": u32::MAX,
                            "LastMsgKey": before,
                        }),
                    )
                    .await?;
                for message in answer["MsgList"].as_array().into_iter().flatten().rev() {
                    line(out, message)?;
                }
                before = answer["LastMsgKey"].as_str().unwrap_or_default().to_owned();
                if answer["Complete"] == 1 || before.is_empty() {
                    break;
                }
            }
        }
        Action::FriendsOnly { state } => {
            let on = u8::from(state == "on");
            target
                .call("duet/set_app_config", json!({ "FriendsOnly": on }))
                .await?;
            line(out, &json!({ "FriendsOnly": on }))?;
        }
        Action::Expire => {
            let mut answer = target.call("duet/expire", json!({})).await?;
            strip_status(&mut answer);
            line(out, &answer)?;
        }
        Action::Vacuum => {
            let mut answer = target.call("duet/vacuum", json!({})).await?;
            strip_status(&mut answer);
            line(out, &answer)?;
        }
    }
    Ok(())
}

/// Leaves only the answer's own fields.
fn strip_status(answer: &mut Value) {
    if let Some(fields) = answer.as_object_mut() {
        for key in ["ActionStatus", "ErrorCode", "ErrorInfo"] {
            fields.remove(key);
        }
    }
}
