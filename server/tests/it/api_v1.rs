//! The JSON API as a script uses it: a service token lists tenants, registers one and acknowledges a notification;
//! a helpdesk token cannot register (403); errors are problem details; and every operation of the OpenAPI document
//! answers as the document says (a test walks it).

use app::accounts::Role;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::accounts::UserId;
use server::accounts::audit::Actor;
use server::accounts::tokens::service::{Viewer, make};
use server::accounts::tokens::{Kind, NewToken};
use server::notifications::history::record::{Incoming, apply};
use sqlx::PgPool;

use crate::harness::TestApp;

/// A token made as the service would: a service token by an admin, or a personal one of a user with `role`.
async fn token(app: &TestApp, kind: Kind, role: Role) -> String {
    let email = format!("maker-{}-{}@example.test", kind.as_str(), role.as_str());
    app.add_user(&email, if kind == Kind::Service { Role::Admin } else { role }).await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM accounts_users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.pool)
        .await
        .expect("user");
    let viewer = Viewer { id: UserId(id), role: if kind == Kind::Service { Role::Admin } else { role } };
    let new = NewToken { kind, name: format!("{}-{}", kind.as_str(), role.as_str()), role, days: 30 };
    let actor = Actor::User { id: UserId(id), email };
    make(&app.pool, &actor, viewer, new, "", Utc::now()).await.expect("token").secret.expose().to_string()
}

/// Every item of a list, following `next_cursor` from the first page to the last.
async fn every_page(app: &TestApp, token: &str, first: &str) -> Vec<Value> {
    let (mut items, mut cursor) = (Vec::new(), String::new());
    loop {
        let url = app.url(&format!("{first}&cursor={cursor}"));
        let page: Value = client().get(url).bearer_auth(token).send().await.expect("page").json().await.expect("json");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return items,
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn notice(pool: &PgPool, origin: &str) -> i64 {
    let incoming = Incoming {
        origin: origin.into(),
        source: "console",
        kind: "synthetic_login_alert".into(),
        severity: "critical",
        title: format!("Customer login on acme-prod is failing ({origin})"),
        body: "Three synthetic logins in a row failed.".into(),
        link: Some("/monitoring".into()),
        tenants: vec!["acme-prod".into()],
        regions: vec!["us".into()],
        at: Utc::now(),
        update_origin: format!("{origin}-1"),
        text: "opened".into(),
    };
    apply(&mut pool.acquire().await.expect("conn"), &incoming, Utc::now()).await.expect("notice");
    sqlx::query_scalar("SELECT id FROM notifications WHERE origin = $1").bind(origin).fetch_one(pool).await.expect("id")
}

/// One of everything the API reads, for `tenant`: a custom domain, a monitoring check, an incident with an update,
/// a kept log event. Their ids, by the path parameter they fill.
async fn seed(pool: &PgPool, tenant: uuid::Uuid) -> Vec<(&'static str, String)> {
    let domain: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO domains (tenant_id, host, is_primary, status, kind, expected_cname, status_since, dns_outcome)
         VALUES ($1, 'login.acme.example', true, 'ready', 'auth0_managed_certs', 'acme-prod-cd.edge.tenants.auth0.com',
                 now(), 'ok') RETURNING id",
    )
    .bind(tenant)
    .fetch_one(pool)
    .await
    .expect("domain");
    let check: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO monitoring_checks (tenant_id, kind, name, last_run_at, last_outcome) VALUES ($1, 'test', 'Endpoint', now(), 'timeout') RETURNING id",
    )
    .bind(tenant)
    .fetch_one(pool)
    .await
    .expect("check");
    // A check is run by its scheduler job, as adding it through the console makes one.
    let mut conn = pool.acquire().await.expect("conn");
    server::scheduler::ensure(
        &mut conn,
        server::scheduler::kinds::MONITORING_CHECK,
        &check.to_string(),
        std::time::Duration::from_secs(60),
        Utc::now(),
    )
    .await
    .expect("job");
    drop(conn);
    let source = crate::harness::insert_source(
        pool,
        "Twilio",
        "statuspage",
        "sms",
        "https://status.twilio.com/api/v2/summary.json",
    )
    .await;
    let incident: i64 = sqlx::query_scalar(
        "INSERT INTO status_incidents (source_id, external_id, title, impact, phase, started_at, updated_at, first_seen_at)
         VALUES ($1, 'tw-1', 'SMS delivery delays', 'major', 'investigating', now(), now(), now()) RETURNING id",
    )
    .bind(source)
    .fetch_one(pool)
    .await
    .expect("incident");
    let event = server::logs::model::Event {
        log_id: "90020261203000000000000000000000000000000000000000000001".into(),
        date: Utc::now(),
        type_code: "fp".into(),
        description: Some("Wrong email or password.".into()),
        client_id: Some("cid".into()),
        client_name: Some("Acme web".into()),
        user_id: Some("auth0|1".into()),
        user_name: Some("olivia@acme.example".into()),
        ip: Some("203.0.113.7".parse().expect("ip")),
        connection: Some("Username-Password-Authentication".into()),
        strategy: None,
        hostname: None,
        user_agent: None,
        payload: json!({"log_id": "90020261203000000000000000000000000000000000000000000001", "type": "fp"}),
    };
    server::logs::service::store(
        pool,
        app::ids::TenantId(tenant),
        server::logs::model::Source::Import,
        &[event],
        &[],
        None,
        Utc::now(),
    )
    .await
    .expect("stored");
    vec![
        ("domains", domain.to_string()),
        ("checks", check.to_string()),
        ("incidents", incident.to_string()),
        ("log_id", "90020261203000000000000000000000000000000000000000000001".into()),
    ]
}

fn new_tenant(name: &str) -> Value {
    json!({
        "domain": format!("{name}.eu.auth0.com"), "environment": "production", "user_domain": "customers",
        "association": "associated", "account_name": "Acme", "client_id": "cid", "client_secret": "a secret",
        "api_base_url": "http://127.0.0.1:9"
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn a_script_with_a_service_token_lists_registers_and_acknowledges(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let service = token(&app, Kind::Service, Role::OpsLead).await;
    let http = client();

    let empty: Value = http
        .get(app.url("/api/v1/tenants"))
        .bearer_auth(&service)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(empty, json!({ "items": [], "next_cursor": null }));

    // Registers three tenants (no Origin header: a script, not a browser), then pages through them.
    for name in ["acme-prod", "acme-dev", "acme-qa"] {
        let added = http
            .post(app.url("/api/v1/tenants"))
            .bearer_auth(&service)
            .json(&new_tenant(name))
            .send()
            .await
            .expect("add");
        assert_eq!(added.status(), StatusCode::CREATED, "{name}");
        let location = added.headers()["location"].to_str().expect("ascii").to_string();
        let tenant: Value = added.json().await.expect("tenant");
        assert_eq!(tenant["name"], name);
        assert_eq!(location, format!("/api/v1/tenants/{}", tenant["id"].as_str().expect("id")));
    }
    let first: Value = http
        .get(app.url("/api/v1/tenants?limit=2"))
        .bearer_auth(&service)
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> =
        first["items"].as_array().expect("items").iter().map(|t| t["name"].as_str().expect("name")).collect();
    assert_eq!(names, ["acme-dev", "acme-prod"]);
    let cursor = first["next_cursor"].as_str().expect("more");
    let second: Value = http
        .get(app.url(&format!("/api/v1/tenants?limit=2&cursor={cursor}")))
        .bearer_auth(&service)
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    assert_eq!(second["items"][0]["name"], "acme-qa");
    assert_eq!(second["next_cursor"], Value::Null);

    // The form's rules and messages, as problem details.
    let bad = http.post(app.url("/api/v1/tenants")).bearer_auth(&service).json(&json!({"domain": "https://x", "environment": "prod", "user_domain": "", "association": "x", "client_id": "", "client_secret": ""})).send().await.expect("bad");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
    let problem: Value = bad.json().await.expect("problem");
    assert_eq!(problem["type"], "/api/v1/docs#problem-invalid");
    assert!(problem["detail"].as_str().expect("detail").contains("domain"), "{problem}");
    let not_json =
        http.post(app.url("/api/v1/tenants")).bearer_auth(&service).body("domain=x").send().await.expect("form");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert!(not_json.text().await.expect("body").contains("Content-Type: application/json"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&app.pool).await.expect("count");
    assert_eq!(count, 3, "nothing stored from the bad requests");

    // Acknowledges a notification; the timeline and the audit log name the service token.
    let id = notice(&app.pool, "alert-1").await;
    let acked = http
        .post(app.url(&format!("/api/v1/notifications/{id}/acknowledge")))
        .bearer_auth(&service)
        .json(&json!({"comment": "on it"}))
        .send()
        .await
        .expect("ack");
    assert_eq!(acked.status(), StatusCode::NO_CONTENT);
    let detail: Value = http
        .get(app.url(&format!("/api/v1/notifications/{id}")))
        .bearer_auth(&service)
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("json");
    assert_eq!(detail["notification"]["acknowledged"]["by"], "service token service-ops_lead");
    let audited: String =
        sqlx::query_scalar("SELECT actor_label FROM accounts_audit_log WHERE action = 'tenant_added' LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(audited, "service token service-ops_lead");

    // A helpdesk token reads but cannot register a tenant.
    let helpdesk = token(&app, Kind::Personal, Role::Helpdesk).await;
    let refused = http
        .post(app.url("/api/v1/tenants"))
        .bearer_auth(&helpdesk)
        .json(&new_tenant("acme-sandbox"))
        .send()
        .await
        .expect("add");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let problem: Value = refused.json().await.expect("problem");
    assert_eq!(problem["title"], "The token's role is too low");
    let list = http.get(app.url("/api/v1/notifications")).bearer_auth(&helpdesk).send().await.expect("list");
    assert_eq!(list.status(), StatusCode::OK);
    let unauthenticated = http.get(app.url("/api/v1/notifications")).send().await.expect("list");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn notifications_and_incidents_page_by_keyset_newest_first_without_gaps(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let token = token(&app, Kind::Personal, Role::Helpdesk).await;
    for n in 0..7 {
        notice(&app.pool, &format!("alert-{n}")).await;
    }
    let http = client();
    let seen: Vec<i64> = every_page(&app, &token, "/api/v1/notifications?limit=3")
        .await
        .iter()
        .map(|n| n["id"].as_i64().expect("id"))
        .collect();
    let mut expected = seen.clone();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    expected.dedup();
    assert_eq!(seen.len(), 7);
    assert_eq!(seen, expected, "newest first, each once");
    // Incidents page the same way, the most recently recorded first.
    let source =
        crate::harness::insert_source(&app.pool, "Twilio", "statuspage", "sms", "https://status.twilio.com/x").await;
    for n in 0..5 {
        sqlx::query(
            "INSERT INTO status_incidents (source_id, external_id, title, phase, first_seen_at) VALUES ($1, $2, $3, 'investigating', now())",
        )
        .bind(source)
        .bind(format!("tw-{n}"))
        .bind(format!("Delays {n}"))
        .execute(&app.pool)
        .await
        .expect("incident");
    }
    let titles: Vec<String> = every_page(&app, &token, "/api/v1/incidents?limit=2")
        .await
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_string())
        .collect();
    assert_eq!(titles, ["Delays 4", "Delays 3", "Delays 2", "Delays 1", "Delays 0"]);
    let bad = http.get(app.url("/api/v1/incidents?category=fax")).bearer_auth(&token).send().await.expect("bad");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let bad = http.get(app.url("/api/v1/notifications?cursor=garbage")).bearer_auth(&token).send().await.expect("bad");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = http.get(app.url("/api/v1/notifications?limit=abc")).bearer_auth(&token).send().await.expect("bad");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}

/// Resolves `$ref`s against the document's components.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).map(|s| resolve(doc, s)).unwrap_or(schema),
        None => schema,
    }
}

/// Checks `value` against `schema` (types, required fields, items, nullable unions): the answer is what the
/// document says.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
        return if options.iter().any(|o| conforms(doc, o, value, at).is_ok()) {
            Ok(())
        } else {
            Err(format!("{at}: {value} matches none of {options:?}"))
        };
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Ok(()),
    };
    let fits = types.iter().any(|t| match *t {
        "null" => value.is_null(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    });
    if !fits {
        return Err(format!("{at}: {value} is not {types:?}"));
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            conforms(doc, items, item, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(object) = value.as_object() {
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
        {
            if !object.contains_key(required) {
                return Err(format!("{at}: the required {required:?} is missing"));
            }
        }
        for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if let Some(v) = object.get(name) {
                conforms(doc, property, v, &format!("{at}.{name}"))?;
            }
        }
    }
    Ok(())
}

#[sqlx::test(migrations = "../migrations")]
async fn every_operation_of_the_openapi_document_answers_as_documented(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = token(&app, Kind::Service, Role::Admin).await;
    let http = client();
    let doc: Value = http.get(app.url("/api/v1/openapi.json")).send().await.expect("doc").json().await.expect("json");
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..3]), Some("3.1"), "an OpenAPI 3.1 document");
    assert!(doc.pointer("/components/securitySchemes/token").is_some());

    let added: Value = http
        .post(app.url("/api/v1/tenants"))
        .bearer_auth(&admin)
        .json(&new_tenant("acme-prod"))
        .send()
        .await
        .expect("add")
        .json()
        .await
        .expect("tenant");
    let tenant = added["id"].as_str().expect("id").to_string();
    let notification = notice(&app.pool, "walk").await.to_string();
    let seeded = seed(&app.pool, tenant.parse().expect("uuid")).await;
    let id_for = |path: &str| -> String {
        if path.contains("notifications") {
            return notification.clone();
        }
        seeded
            .iter()
            .find(|(area, _)| path.contains(&format!("/{area}/")))
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| tenant.clone())
    };
    let bodies = |path: &str| match path {
        "/api/v1/tenants" => new_tenant("acme-walk"),
        _ => json!({ "comment": "walked" }),
    };

    let paths = doc["paths"].as_object().expect("paths");
    let served: Vec<String> = server::http::served_routes().into_iter().filter(|r| r.starts_with("/api/v1/")).collect();
    for route in &served {
        let documented = paths.contains_key(route) || route.ends_with("/openapi.json") || route.ends_with("/docs");
        assert!(documented, "{route} is served but not in the document");
    }
    let mut walked = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("operations") {
            let log_id = &seeded.iter().find(|(k, _)| *k == "log_id").expect("event").1;
            let url = path.replace("{id}", &id_for(path)).replace("{tenant}", &tenant).replace("{log_id}", log_id);
            let request = match method.as_str() {
                "get" => http.get(app.url(&url)),
                "post" => http.post(app.url(&url)).json(&bodies(path)),
                other => panic!("{other} is not walked yet"),
            };
            let answer = request.bearer_auth(&admin).send().await.expect("answer");
            assert!(answer.status().is_success(), "{method} {url} as an admin: {}", answer.status());
            let status = answer.status().as_u16().to_string();
            let documented = &operation["responses"][&status];
            assert!(documented.is_object(), "{method} {path} answered {status}, which the document does not list");
            let body = answer.text().await.expect("body");
            if let Some(schema) = documented.pointer("/content/application~1json/schema") {
                let value: Value = serde_json::from_str(&body).expect("a JSON body");
                conforms(&doc, schema, &value, &format!("{method} {path}")).unwrap_or_else(|e| panic!("{e}\n{body}"));
            }
            // Unauthenticated, every operation is a 401 problem the document lists.
            let anonymous = match method.as_str() {
                "get" => http.get(app.url(&url)),
                _ => http.post(app.url(&url)).json(&bodies(path)),
            };
            let anonymous = anonymous.send().await.expect("answer");
            assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            assert!(operation["responses"]["401"].is_object(), "{method} {path} lists 401");
            walked += 1;
        }
    }
    assert!(walked >= 17, "walked {walked} operations");
    let reference = http.get(app.url("/api/v1/docs")).send().await.expect("docs");
    assert_eq!(reference.status(), StatusCode::OK);
    let html = reference.text().await.expect("html");
    for path in paths.keys() {
        assert!(html.contains(path.as_str()), "the reference shows {path}");
    }
    assert!(html.contains("problem-forbidden") && html.contains("schema-TenantDetail"));
}
