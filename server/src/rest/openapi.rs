//! The OpenAPI 3.1 description of the REST API, served at `/v4/openapi.json`. It is made from
//! [`COMMANDS`], with JSON Schemas derived from the body types in `protocol::rest`, so it
//! describes exactly what the router answers and the bodies it reads.

use super::commands::{COMMANDS, Reply};
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
