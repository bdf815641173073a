//! What a delivery says: one notification update rendered for each kind of channel — the generic webhook's JSON,
//! a Slack message, a Microsoft Teams Adaptive Card, and an email's subject, text and HTML. Pure functions, so the
//! payloads people read are tested as they are sent.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// One update of one notification, as channels are told about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub notification_id: i64,
    /// `None` for "Send test".
    pub update_id: Option<i64>,
    pub source: String,
    pub kind: String,
    pub severity: String,
    pub title: String,
    pub body: String,
    /// Where the notice points (an absolute URL, or a console path made absolute with the public URL).
    pub link: Option<String>,
    /// The notification's page in the console, when the console's public URL is known.
    pub console_url: Option<String>,
    pub tenants: Vec<String>,
    pub regions: Vec<String>,
    pub first_seen_at: DateTime<Utc>,
    pub update_at: DateTime<Utc>,
    /// `update` (or `test`).
    pub update_kind: String,
    pub update_severity: String,
    pub update_text: String,
}

impl Message {
    /// The message "Send test" sends: clearly a test, in the same shape as a real one.
    pub fn test(channel: &str, now: DateTime<Utc>, console: Option<&str>) -> Message {
        Message {
            notification_id: 0,
            update_id: None,
            source: "console".into(),
            kind: "test".into(),
            severity: "info".into(),
            title: format!("Test message for the channel {channel}"),
            body: "Tenantry sent this to check the channel works. Nothing needs doing.".into(),
            link: None,
            console_url: console.map(|c| format!("{c}/notifications/channels")),
            tenants: Vec::new(),
            regions: Vec::new(),
            first_seen_at: now,
            update_at: now,
            update_kind: "test".into(),
            update_severity: "info".into(),
            update_text: "This is a test.".into(),
        }
    }

    pub fn is_test(&self) -> bool {
        self.update_kind == "test"
    }

    /// A console path made absolute with the public URL; other links as they are; relative ones without a public
    /// URL are dropped (a chat message cannot open them).
    pub fn absolute(link: Option<String>, public_url: Option<&str>) -> Option<String> {
        let link = link?;
        if link.starts_with("http://") || link.starts_with("https://") {
            Some(link)
        } else {
            public_url.map(|base| format!("{}{link}", base.trim_end_matches('/')))
        }
    }

    fn source_label(&self) -> &'static str {
        app::notifications::source_label(&self.source)
    }

    fn scope(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.tenants.is_empty() {
            parts.push(format!("tenants {}", self.tenants.join(", ")));
        }
        if !self.regions.is_empty() {
            parts.push(format!("regions {}", self.regions.join(", ")));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    fn marker(&self) -> &'static str {
        match self.severity.as_str() {
            "critical" => "🔴",
            "warning" => "🟠",
            _ => "🔵",
        }
    }
}

/// The generic webhook's body (signed with `X-Tenantry-Signature`).
pub fn webhook(m: &Message) -> Value {
    json!({
        "event": if m.is_test() { "test" } else { "notification.update" },
        "notification": {
            "id": m.notification_id,
            "source": m.source,
            "kind": m.kind,
            "severity": m.severity,
            "title": m.title,
            "body": m.body,
            "link": m.link,
            "console_url": m.console_url,
            "tenants": m.tenants,
            "regions": m.regions,
            "first_seen_at": m.first_seen_at.to_rfc3339(),
        },
        "update": {
            "id": m.update_id,
            "at": m.update_at.to_rfc3339(),
            "kind": m.update_kind,
            "severity": m.update_severity,
            "text": m.update_text,
        },
    })
}

/// Slack's `mrkdwn` needs `&`, `<` and `>` escaped.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A Slack incoming-webhook message: `text` (the notification fallback) and blocks.
pub fn slack(m: &Message) -> Value {
    let headline = format!("{} *{}* — {}", m.marker(), slack_escape(&m.title), m.severity);
    let mut context = vec![m.source_label().to_string()];
    context.extend(m.scope());
    context.push(app::format::timestamp(m.update_at));
    let mut blocks = vec![
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": headline } }),
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": slack_escape(&m.update_text) } }),
        json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": slack_escape(&context.join(" · ")) }] }),
    ];
    let links: Vec<String> = [(m.console_url.as_ref(), "Open in Tenantry"), (m.link.as_ref(), "Source")]
        .into_iter()
        .filter_map(|(url, label)| url.map(|u| format!("<{}|{label}>", slack_escape(u).replace('|', "%7C"))))
        .collect();
    if !links.is_empty() {
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": links.join("  ·  ") } }));
    }
    json!({
        "text": slack_escape(&format!("[{}] {}: {}", m.severity, m.title, m.update_text)),
        "blocks": blocks,
    })
}

/// A Microsoft Teams workflow ("Post to a channel when a webhook request is received") message: one Adaptive Card.
pub fn teams(m: &Message) -> Value {
    let color = match m.severity.as_str() {
        "critical" => "Attention",
        "warning" => "Warning",
        _ => "Accent",
    };
    let mut facts = vec![
        json!({ "title": "Severity", "value": m.severity }),
        json!({ "title": "Source", "value": m.source_label() }),
    ];
    if !m.tenants.is_empty() {
        facts.push(json!({ "title": "Tenants", "value": m.tenants.join(", ") }));
    }
    if !m.regions.is_empty() {
        facts.push(json!({ "title": "Regions", "value": m.regions.join(", ") }));
    }
    facts.push(json!({ "title": "When", "value": app::format::timestamp(m.update_at) }));
    let actions: Vec<Value> = [(m.console_url.as_ref(), "Open in Tenantry"), (m.link.as_ref(), "Source")]
        .into_iter()
        .filter_map(|(url, title)| url.map(|u| json!({ "type": "Action.OpenUrl", "title": title, "url": u })))
        .collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    { "type": "TextBlock", "text": m.title, "weight": "Bolder", "size": "Medium", "wrap": true, "color": color },
                    { "type": "TextBlock", "text": m.update_text, "wrap": true },
                    { "type": "FactSet", "facts": facts },
                ],
                "actions": actions,
            },
        }],
    })
}

/// An email's subject line.
pub fn email_subject(m: &Message) -> String {
    format!("[Tenantry {}] {}", m.severity, m.title)
}

/// An email's plain-text body.
pub fn email_text(m: &Message) -> String {
    let mut out = format!("{}\n\n{}\n\n", m.title, m.update_text);
    out.push_str(&format!("Severity: {}\nSource: {}\n", m.severity, m.source_label()));
    if let Some(scope) = m.scope() {
        out.push_str(&format!("Scope: {scope}\n"));
    }
    out.push_str(&format!("When: {}\n", app::format::timestamp(m.update_at)));
    if !m.body.is_empty() {
        out.push_str(&format!("\n{}\n", m.body));
    }
    if let Some(link) = &m.link {
        out.push_str(&format!("\nSource: {link}\n"));
    }
    if let Some(console) = &m.console_url {
        out.push_str(&format!("Open in Tenantry: {console}\n"));
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An email's HTML body (inline styles only: mail clients drop style sheets).
pub fn email_html(m: &Message) -> String {
    let colour = match m.severity.as_str() {
        "critical" => "#b42318",
        "warning" => "#b54708",
        _ => "#175cd3",
    };
    let mut rows = format!(
        "<tr><th align=\"left\">Severity</th><td style=\"color:{colour}\">{}</td></tr>\
         <tr><th align=\"left\">Source</th><td>{}</td></tr>",
        html_escape(&m.severity),
        html_escape(m.source_label())
    );
    if let Some(scope) = m.scope() {
        rows.push_str(&format!("<tr><th align=\"left\">Scope</th><td>{}</td></tr>", html_escape(&scope)));
    }
    rows.push_str(&format!(
        "<tr><th align=\"left\">When</th><td>{}</td></tr>",
        html_escape(&app::format::timestamp(m.update_at))
    ));
    let mut links = String::new();
    if let Some(console) = &m.console_url {
        links.push_str(&format!("<p><a href=\"{}\">Open in Tenantry</a></p>", html_escape(console)));
    }
    if let Some(link) = &m.link {
        links.push_str(&format!("<p><a href=\"{}\">Source</a></p>", html_escape(link)));
    }
    let body = if m.body.is_empty() { String::new() } else { format!("<p>{}</p>", html_escape(&m.body)) };
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">\
         <h2 style=\"border-left:4px solid {colour};padding-left:8px\">{}</h2><p>{}</p>\
         <table cellpadding=\"4\">{rows}</table>{body}{links}</body></html>",
        html_escape(&m.title),
        html_escape(&m.update_text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        let at = DateTime::parse_from_rfc3339("2026-12-02T10:15:00Z").expect("time").with_timezone(&Utc);
        Message {
            notification_id: 42,
            update_id: Some(7),
            source: "auth0_status".into(),
            kind: "incident".into(),
            severity: "critical".into(),
            title: "Auth0: Login errors in EU <region>".into(),
            body: String::new(),
            link: Some("https://status.auth0.com/incidents/abc".into()),
            console_url: Some("https://ops.example.test/notifications/42".into()),
            tenants: vec!["acme-prod".into()],
            regions: vec!["eu".into()],
            first_seen_at: at,
            update_at: at,
            update_kind: "update".into(),
            update_severity: "critical".into(),
            update_text: "identified: A fix is being rolled out & monitored.".into(),
        }
    }

    #[test]
    fn the_webhook_body_carries_the_notification_and_its_update() {
        let body = webhook(&message());
        assert_eq!(body["event"], "notification.update");
        assert_eq!(body["notification"]["id"], 42);
        assert_eq!(body["notification"]["tenants"][0], "acme-prod");
        assert_eq!(body["update"]["id"], 7);
        assert_eq!(body["update"]["at"], "2026-12-02T10:15:00+00:00");
        assert_eq!(webhook(&Message::test("ops", Utc::now(), None))["event"], "test");
    }

    #[test]
    fn slack_messages_escape_their_text_and_link_to_the_console() {
        let body = slack(&message());
        assert_eq!(
            body["text"],
            "[critical] Auth0: Login errors in EU &lt;region&gt;: identified: A fix is being rolled out &amp; monitored."
        );
        let blocks = body["blocks"].as_array().expect("blocks");
        assert_eq!(blocks[0]["text"]["text"], "🔴 *Auth0: Login errors in EU &lt;region&gt;* — critical");
        assert_eq!(blocks[1]["text"]["text"], "identified: A fix is being rolled out &amp; monitored.");
        assert_eq!(
            blocks[2]["elements"][0]["text"],
            "Auth0 status · tenants acme-prod · regions eu · 2026-12-02 10:15:00 UTC"
        );
        assert_eq!(
            blocks[3]["text"]["text"],
            "<https://ops.example.test/notifications/42|Open in Tenantry>  ·  <https://status.auth0.com/incidents/abc|Source>"
        );
    }

    #[test]
    fn a_hostile_title_or_link_cannot_mention_everyone_or_hide_a_link_in_slack() {
        let mut m = message();
        m.title = "<!channel> look <https://evil.example|Auth0 login page>".into();
        m.link = Some("https://status.example.test/x>|<!here>".into());
        let body = slack(&m);
        let everything = body.to_string();
        for raw in ["<!channel>", "<!here>", "<https://evil.example|"] {
            assert!(!everything.contains(raw), "{raw} passed through: {everything}");
        }
        assert!(body["text"].as_str().expect("text").contains("&lt;!channel&gt;"));
    }

    #[test]
    fn teams_messages_are_one_adaptive_card() {
        let body = teams(&message());
        assert_eq!(body["type"], "message");
        let card = &body["attachments"][0];
        assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
        assert_eq!(card["content"]["type"], "AdaptiveCard");
        assert_eq!(card["content"]["body"][0]["color"], "Attention");
        assert_eq!(card["content"]["body"][2]["facts"][2]["value"], "acme-prod");
        assert_eq!(card["content"]["actions"][0]["url"], "https://ops.example.test/notifications/42");
    }

    #[test]
    fn emails_have_a_subject_a_text_and_an_escaped_html_body() {
        let m = message();
        assert_eq!(email_subject(&m), "[Tenantry critical] Auth0: Login errors in EU <region>");
        let text = email_text(&m);
        assert!(text.starts_with("Auth0: Login errors in EU <region>\n\nidentified: A fix"), "{text}");
        assert!(text.contains("Scope: tenants acme-prod · regions eu\n"), "{text}");
        assert!(text.contains("Open in Tenantry: https://ops.example.test/notifications/42"), "{text}");
        let html = email_html(&m);
        assert!(html.contains("Login errors in EU &lt;region&gt;"), "{html}");
        assert!(html.contains("rolled out &amp; monitored"), "{html}");
        assert!(!html.contains("<region>"));
    }

    #[test]
    fn console_paths_become_absolute_only_with_a_public_url() {
        assert_eq!(
            Message::absolute(Some("/monitoring/1".into()), Some("https://ops.example.test/")),
            Some("https://ops.example.test/monitoring/1".into())
        );
        assert_eq!(Message::absolute(Some("/monitoring/1".into()), None), None);
        assert_eq!(Message::absolute(Some("https://x.test/a".into()), None), Some("https://x.test/a".into()));
    }
}
