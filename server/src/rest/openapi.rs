//! The OpenAPI 3.1 description of the REST API, served at `/v4/openapi.json`. It is made from
//! [`COMMANDS`], with JSON Schemas derived from the body types in `protocol::rest`, so it
//! describes exactly what the router answers and the bodies it reads.

use super::commands::{COMMANDS, Reply};
use crate::webhooks::Hook;
use clap::ValueEnum;
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// The description, made once.
pub static DOCUMENT: LazyLock<String> = LazyLock::new(|| document().to_string());

/// `GET /v4/openapi.json`.
pub async fn serve() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas/".into();
            s.meta_schema = None;
        })
        .into_generator();
    let parameters = ["sdkappid", "identifier", "usersig", "random", "contenttype"]
        .map(|p| json!({ "$ref": format!("#/components/parameters/{p}") }));
    // A refusal carries the status fields alone; an answer with `OK` has the command's too.
    let refusal = json!({
        "allOf": [generator.subschema_for::<protocol::rest::Status>()],
        "properties": { "ActionStatus": { "const": "FAIL" } },
    });
    let mut paths = serde_json::Map::new();
    for command in COMMANDS {
        let (service, name) = command.name.split_once('/').expect("service/command");
        let request = (command.request)(&mut generator);
        let answer = match &command.reply {
            Reply::Json(reply) => json!({
                "application/json": { "schema": { "anyOf": [reply(&mut generator), refusal] } }
            }),
            Reply::Lines(line) => json!({
                "application/x-ndjson": {
                    "schema": { "type": "string" },
                    "x-line-schema": line(&mut generator),
                }
            }),
        };
        let operation = json!({
            "operationId": format!("{service}_{name}"),
            "summary": command.summary,
            "tags": [service],
            "parameters": parameters,
            "requestBody": {
                "required": true,
                "content": { "application/json": { "schema": request } }
            },
            "responses": {
                "200": {
                    "description": "Always HTTP 200: ActionStatus OK, or FAIL with ErrorCode and ErrorInfo.",
                    "content": answer,
                }
            }
        });
        paths.insert(
            format!("/v4/{}", command.name),
            json!({ "post": operation }),
        );
    }
    let webhooks = webhooks(&mut generator, &refusal);
    let query = |name: &str, description: &str, schema: Value, required: bool| {
        json!({
            "name": name, "in": "query", "required": required,
            "description": description, "schema": schema,
        })
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Duet REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Tencent IM's REST API v4 for one-to-one chat, plus Duet's own `duet` service. \
                Every call is signed with the app administrator's UserSig. See docs/rest-api.md.",
        },
        "paths": paths,
        "webhooks": webhooks,
        "components": {
            "schemas": generator.take_definitions(true),
            "parameters": {
                "sdkappid": query("sdkappid", "The app's SDKAppID.", json!({ "type": "integer", "minimum": 0 }), true),
                "identifier": query("identifier", "The app administrator's account.", json!({ "type": "string" }), true),
                "usersig": query("usersig", "A UserSig of the administrator.", json!({ "type": "string" }), true),
                "random": query("random", "Any 32-bit number.", json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX }), true),
                "contenttype": query("contenttype", "Only json.", json!({ "const": "json" }), false),
            },
        },
    })
}

/// The webhooks Duet sends the app's backend (`docs/webhooks.md`): each command's body, and
/// what the backend answers.
fn webhooks(generator: &mut SchemaGenerator, refusal: &Value) -> Value {
    use protocol::webhook::*;
    let mut hooks = serde_json::Map::new();
    for hook in Hook::value_variants() {
        let body = match hook {
            Hook::BeforeSendMsg => generator.subschema_for::<Event<SendMsg>>(),
            Hook::AfterSendMsg => generator.subschema_for::<Event<AfterSendMsg>>(),
            Hook::AfterMsgWithDraw => generator.subschema_for::<Event<MsgWithDraw>>(),
            Hook::AfterMsgReport => generator.subschema_for::<Event<MsgReport>>(),
            Hook::StateChange => generator.subschema_for::<Event<StateChange>>(),
            Hook::PortraitSet => generator.subschema_for::<Event<PortraitSet>>(),
            Hook::PrevFriendAdd => generator.subschema_for::<Event<PrevFriendAdd>>(),
            Hook::PrevFriendResponse => generator.subschema_for::<Event<PrevFriendResponse>>(),
            Hook::FriendAdd => generator.subschema_for::<Event<FriendAdd>>(),
            Hook::FriendDelete | Hook::BlackListAdd | Hook::BlackListDelete => {
                generator.subschema_for::<Event<Pairs>>()
            }
        };
        let answer = match hook {
            Hook::BeforeSendMsg => {
                json!({ "anyOf": [generator.subschema_for::<BeforeSendAnswer>(), refusal] })
            }
            Hook::PrevFriendAdd | Hook::PrevFriendResponse => {
                json!(generator.subschema_for::<PrevFriendAnswer>())
            }
            _ => json!(generator.subschema_for::<protocol::rest::Status>()),
        };
        let operation = json!({
            "operationId": hook.command().replace('.', "_"),
            "summary": hook.summary(),
            "parameters": [
                { "name": "SdkAppid", "in": "query", "required": true, "schema": { "type": "integer" } },
                { "name": "CallbackCommand", "in": "query", "required": true, "schema": { "const": hook.command() } },
                { "name": "contenttype", "in": "query", "required": true, "schema": { "const": "json" } },
                { "name": "OptPlatform", "in": "query", "required": true, "schema": { "enum": ["Web", "RESTAPI"] } },
                { "name": "RequestTime", "in": "query", "required": false, "description": "With a token: Unix seconds.", "schema": { "type": "string" } },
                { "name": "Sign", "in": "query", "required": false, "description": "With a token: the SHA-256 of the token and RequestTime, in hex.", "schema": { "type": "string" } },
            ],
            "requestBody": {
                "required": true,
                "content": { "application/json": { "schema": body } }
            },
            "responses": {
                "200": {
                    "description": "The backend's answer.",
                    "content": { "application/json": { "schema": answer } },
                }
            }
        });
        hooks.insert(hook.command().into(), json!({ "post": operation }));
    }
    Value::Object(hooks)
}
