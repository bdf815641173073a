//! The JSON API's OpenAPI 3.1 document, generated from the handlers' annotations and the types in `types` (utoipa),
//! served at `/api/v1/openapi.json`, and the readable reference at `/api/v1/docs`: the same document rendered on
//! the server as one HTML page (no script, no CDN), with the problem kinds and how to authenticate.

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use html_escape::encode_text as text;
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::{KINDS, Problem};
use super::types;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenantry JSON API",
        version = "1",
        description = "Scripts and dashboards read and change what the console shows, with the same access rules, \
                       validation and audit log. Authenticate with an API token (Settings → API tokens) sent as \
                       `Authorization: Bearer tenantry_…`. Lists page with `limit` and `cursor`; errors are RFC 9457 \
                       problem details."
    ),
    paths(
        super::tenants::list,
        super::tenants::add,
        super::tenants::read,
        super::tenants::refresh,
        super::tenants::findings,
        super::notifications::list,
        super::notifications::read,
        super::notifications::acknowledge,
        super::status::board,
        super::status::incidents,
        super::status::incident,
        super::domains::list,
        super::domains::read,
        super::domains::check,
        super::monitoring::list,
        super::monitoring::read,
        super::monitoring::run,
        super::logs::search,
        super::logs::event,
    ),
    components(schemas(
        Problem,
        types::Tenant,
        types::TenantPage,
        types::TenantDetail,
        types::NewTenant,
        types::Change,
        types::Finding,
        types::TenantRef,
        types::CustomDomainRef,
        types::PollFailure,
        types::Notification,
        types::NotificationPage,
        types::NotificationDetail,
        types::NotificationUpdate,
        types::Acknowledgement,
        types::Acknowledge,
    )),
    modifiers(&BearerToken),
    tags(
        (name = "tenants", description = "The tenant registry, snapshots' changes and findings"),
        (name = "notifications", description = "The notification history and acknowledgements"),
        (name = "status", description = "The status board and the incident history"),
        (name = "domains", description = "Custom domains and their DNS and TLS checks"),
        (name = "monitoring", description = "Monitoring checks, their figures and failed runs"),
        (name = "logs", description = "The kept Auth0 log events"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer-token scheme the operations name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tenantry_ followed by 64 hex characters")
                    .description(Some("An API token from Settings → API tokens"))
                    .build(),
            ),
        );
    }
}

/// The document as JSON. A response the annotations left without a description gets the words of its status
/// (OpenAPI requires one on every response; utoipa leaves it out when none is written).
pub fn json() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    let operations =
        doc.get_mut("paths").and_then(Value::as_object_mut).into_iter().flat_map(|paths| paths.values_mut());
    for operation in operations.filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
        let responses = operation.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten();
        for (status, response) in responses {
            let Some(response) = response.as_object_mut() else { continue };
            if response.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
                response.insert("description".into(), Value::String(status_words(status)));
            }
        }
    }
    doc
}

/// A status in words: a problem kind's title, or the HTTP reason phrase.
fn status_words(status: &str) -> String {
    let code = status.parse::<u16>().unwrap_or(0);
    match KINDS.iter().find(|(s, _, _)| *s == code) {
        Some((_, _, title)) => title.to_string(),
        None => axum::http::StatusCode::from_u16(code)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("The answer")
            .to_string(),
    }
}

/// `GET /api/v1/openapi.json` (public: it describes, it does not reveal).
pub async fn document() -> Json<Value> {
    Json(json())
}

/// `GET /api/v1/docs`: the reference, rendered from the document.
pub async fn reference() -> Response {
    let html = render(&json());
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// The name a `$ref` points at (`#/components/schemas/Tenant` → `Tenant`).
fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
}

/// A schema in a few words: `Tenant`, `array of Finding`, `string (date-time)`, `string or null`.
fn describe(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return format!("<a href=\"#schema-{name}\">{name}</a>");
    }
    if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
        return options.iter().map(describe).collect::<Vec<_>>().join(" or ");
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" or "),
        _ => "any".into(),
    };
    if kind.starts_with("array") {
        return format!("array of {}", schema.get("items").map(describe).unwrap_or_default());
    }
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}

/// Text with its `code` spans (the descriptions' only markup) as `<code>`, everything else escaped.
fn inline(words: &str) -> String {
    words
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{}</code>", text(part)) } else { text(part).into_owned() })
        .collect()
}

fn paragraph(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).map(|d| format!("<p>{}</p>", inline(d))).unwrap_or_default()
}

/// The whole reference page.
pub fn render(doc: &Value) -> String {
    let mut out = String::new();
    out.push_str("<h1>Tenantry JSON API</h1>");
    out.push_str(&paragraph(doc.pointer("/info/description")));
    out.push_str(
        "<p>The machine-readable document: <a href=\"/api/v1/openapi.json\"><code>/api/v1/openapi.json</code></a> \
         (OpenAPI 3.1). Make a token under <a href=\"/settings/tokens\">Settings → API tokens</a>.</p>\
         <pre><code>curl -H \"Authorization: Bearer $TENANTRY_TOKEN\" https://tenantry.example.com/api/v1/tenants</code></pre>",
    );
    out.push_str("<h2>Operations</h2>");
    let paths = doc.get("paths").and_then(Value::as_object).cloned().unwrap_or_default();
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let anchor = format!("{method}-{path}").replace(['/', '{', '}'], "-");
            out.push_str(&format!(
                "<section class=\"card\" id=\"{anchor}\" data-testid=\"operation\"><h3><code>{} {}</code></h3>",
                method.to_uppercase(),
                text(path)
            ));
            out.push_str(&paragraph(op.get("description")));
            let params = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            if !params.is_empty() {
                out.push_str(
                    "<table class=\"table\"><tr><th>Parameter</th><th>In</th><th>Type</th><th>About</th></tr>",
                );
                for p in params {
                    out.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        text(p.get("name").and_then(Value::as_str).unwrap_or("")),
                        if p.get("required").and_then(Value::as_bool) == Some(true) { " (required)" } else { "" },
                        text(p.get("in").and_then(Value::as_str).unwrap_or("")),
                        p.get("schema").map(describe).unwrap_or_default(),
                        inline(p.get("description").and_then(Value::as_str).unwrap_or("")),
                    ));
                }
                out.push_str("</table>");
            }
            if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
                out.push_str(&format!("<p>Body (JSON): {}</p>", describe(body)));
            }
            out.push_str("<table class=\"table\"><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>");
            for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                let body = response
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().next())
                    .and_then(|c| c.get("schema"))
                    .map(describe)
                    .unwrap_or_else(|| "—".into());
                let said = response.get("description").and_then(Value::as_str).filter(|d| !d.is_empty());
                let kind = KINDS.iter().find(|(s, _, _)| s.to_string() == *status).map(|(_, _, title)| *title);
                out.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{body}</td></tr>",
                    text(status),
                    inline(said.or(kind).unwrap_or(""))
                ));
            }
            out.push_str("</table></section>");
        }
    }
    out.push_str("<h2>Types</h2>");
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    for (name, schema) in &schemas {
        out.push_str(&format!("<section class=\"card\" id=\"schema-{name}\"><h3><code>{name}</code></h3>"));
        out.push_str(&paragraph(schema.get("description")));
        let required: Vec<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        out.push_str("<table class=\"table\"><tr><th>Field</th><th>Type</th><th>About</th></tr>");
        for (field, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            out.push_str(&format!(
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
                text(field),
                if required.contains(&field.as_str()) { "" } else { " (optional)" },
                describe(property),
                inline(property.get("description").and_then(Value::as_str).unwrap_or("")),
            ));
        }
        out.push_str("</table></section>");
    }
    out.push_str("<h2>Problems</h2><p>Every error is <code>application/problem+json</code> (RFC 9457): <code>type</code>, \
                  <code>title</code>, <code>status</code> and a <code>detail</code> that says what to do.</p><table class=\"table\">\
                  <tr><th>Status</th><th>Type</th><th>Title</th></tr>");
    for (status, slug, title) in KINDS {
        out.push_str(&format!(
            "<tr id=\"problem-{slug}\"><td>{status}</td><td><code>/api/v1/docs#problem-{slug}</code></td><td>{}</td></tr>",
            text(title)
        ));
    }
    out.push_str("</table>");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tenantry JSON API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/assets/tenantry.css\"></head><body><main class=\"reference\">{out}</main></body></html>"
    )
}
