//! `/v4/openapi.json` stays in step with the router: it describes every command the router
//! answers and nothing else, each described command answers, and the document holds
//! together (OpenAPI 3.1, every `$ref` resolves, the schemas are the body types').

mod common;

use common::*;
use protocol::ErrorCode;
use serde_json::Value;
use std::collections::BTreeSet;

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(fields) => {
            for (key, v) in fields {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The value at a local reference (`#/components/…`).
fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    document.pointer(reference.strip_prefix('#')?)
}

#[tokio::test]
async fn the_description_matches_the_router() {
    let server = TestServer::start().await;
    let answer = reqwest::get(format!("http://{}/v4/openapi.json", server.addr))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let document: Value = answer.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    // Every command is described, and nothing else is.
    let described: BTreeSet<&str> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let routed: Vec<String> = server::rest::COMMANDS
        .iter()
        .map(|c| format!("/v4/{}", c.name))
        .collect();
    let routed: BTreeSet<&str> = routed.iter().map(String::as_str).collect();
    assert_eq!(described, routed);

    // The document holds together.
    let mut all = Vec::new();
    refs(&document, &mut all);
    assert!(all.len() > COMMANDS_AT_LEAST, "schemas are referenced");
    for reference in all {
        assert!(
            resolve(&document, reference).is_some(),
            "{reference} does not resolve"
        );
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        let post = &item["post"];
        assert!(post["summary"].is_string(), "{path}");
        assert!(
            post["requestBody"]["content"]["application/json"]["schema"].is_object(),
            "{path}"
        );
        assert!(post["responses"]["200"]["content"].is_object(), "{path}");
        assert_eq!(post["parameters"].as_array().unwrap().len(), 5, "{path}");
    }
    // The schemas are the body types': sendmsg needs a recipient and a body, and its answer
    // carries the status fields beside MsgKey.
    let send = &document["paths"]["/v4/openim/sendmsg"]["post"];
    let request = send["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let required = resolve(&document, request).unwrap()["required"].to_string();
    assert!(
        required.contains("To_Account") && required.contains("MsgBody"),
        "{required}"
    );
    let reply = expanded(
        &document,
        &send["responses"]["200"]["content"]["application/json"]["schema"],
    );
    for field in ["ActionStatus", "ErrorCode", "ErrorInfo", "MsgKey"] {
        assert!(reply.contains(field), "{field} in {reply}");
    }

    // Every webhook is described, with its body and the answer the backend gives.
    let webhooks = document["webhooks"].as_object().unwrap();
    let commands: BTreeSet<&str> = webhooks.keys().map(String::as_str).collect();
    let sent: BTreeSet<&str> = <server::webhooks::Hook as clap::ValueEnum>::value_variants()
        .iter()
        .map(|h| h.command())
        .collect();
    assert_eq!(commands, sent);
    let before = &webhooks["C2C.CallbackBeforeSendMsg"]["post"];
    let body = expanded(
        &document,
        &before["requestBody"]["content"]["application/json"]["schema"],
    );
    for field in [
        "CallbackCommand",
        "EventTime",
        "From_Account",
        "MsgBody",
        "OnlineOnlyFlag",
    ] {
        assert!(body.contains(field), "{field} in {body}");
    }
    let answer = expanded(
        &document,
        &before["responses"]["200"]["content"]["application/json"]["schema"],
    );
    assert!(
        answer.contains("MsgBody") && answer.contains("ErrorCode"),
        "{answer}"
    );
    let state = &webhooks["State.StateChange"]["post"];
    let body = expanded(
        &document,
        &state["requestBody"]["content"]["application/json"]["schema"],
    );
    assert!(
        body.contains("Reason") && body.contains("To_Account"),
        "{body}"
    );

    // Every described command exists: none is answered as unknown (an empty body is refused
    // for what it lacks, or, for the commands that need nothing, answered).
    for path in &described {
        let command = path.strip_prefix("/v4/").unwrap();
        let answer = server.rest(command, serde_json::json!({})).await;
        assert_ne!(
            code(&answer),
            u64::from(ErrorCode::UNKNOWN_REQUEST.0),
            "{command}: {answer}"
        );
    }
    let unknown = server
        .rest("openim/not_a_command", serde_json::json!({}))
        .await;
    assert_eq!(code(&unknown), u64::from(ErrorCode::UNKNOWN_REQUEST.0));
}

/// A schema's text with the schemas it refers to, two levels down.
fn expanded(document: &Value, schema: &Value) -> String {
    let mut text = schema.to_string();
    let mut level = vec![schema];
    for _ in 0..2 {
        let mut targets = Vec::new();
        for s in &level {
            refs(s, &mut targets);
        }
        level = targets
            .into_iter()
            .filter_map(|r| resolve(document, r))
            .collect();
        for s in &level {
            text.push_str(&s.to_string());
        }
    }
    text
}

/// Fewer references than commands would mean schemas went missing.
const COMMANDS_AT_LEAST: usize = 40;
