//! The `infra.mail` step: for every tenant due (a new snapshot, new selectors, or 6 hours since the last check), its
//! email provider's verdict and its sender domain's SPF, DKIM and DMARC read in live DNS; a changed verdict is a
//! notice, recorded in the transaction that stores the check.

use std::collections::HashMap;

use app::infra::{EmailVerdict, MailCheck};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

use super::repo::{self, MailState, TenantRow};
use super::{email, mail};
use crate::domains::dns::DnsChecker;
use crate::domains::hostname::Hostname;
use crate::notifications::record::Incoming;

/// The provider (`name`) and sender domain a tenant's own provider sends from; `None` on the built-in provider,
/// a provider turned off, or no usable sender.
pub fn sender(t: &TenantRow) -> Option<(String, String)> {
    let p = t.provider.as_ref()?.as_object()?;
    if p.get("enabled").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let name = p.get("name")?.as_str()?.to_string();
    let from = p.get("default_from_address")?.as_str()?;
    // "Acme <login@acme.example>" or "login@acme.example".
    let address = from.rsplit('<').next()?.trim_end_matches('>').trim();
    let domain = address.rsplit_once('@')?.1;
    let host = Hostname::parse(domain).ok()?;
    Some((name, host.as_str().to_string()))
}

fn severity(v: EmailVerdict) -> &'static str {
    match v {
        EmailVerdict::Required => "critical",
        EmailVerdict::Warning => "warning",
        EmailVerdict::Ok | EmailVerdict::Unknown => "info",
    }
}

fn verdict_of(label: &str) -> Option<EmailVerdict> {
    [EmailVerdict::Required, EmailVerdict::Warning, EmailVerdict::Ok, EmailVerdict::Unknown]
        .into_iter()
        .find(|v| v.label() == label)
}

/// Whether a move from `before` to `after` is worth a notice: a new problem, or a problem that cleared. Unknown
/// (a failed lookup, no snapshot) never notifies: it says nothing new.
fn worth_telling(before: Option<EmailVerdict>, after: EmailVerdict) -> bool {
    match (before, after) {
        (_, EmailVerdict::Unknown) => false,
        (None | Some(EmailVerdict::Unknown), EmailVerdict::Ok) => false,
        (before, after) => before != Some(after),
    }
}

fn notice(t: &TenantRow, origin: String, title: String, v: EmailVerdict, text: String, now: DateTime<Utc>) -> Incoming {
    Incoming {
        update_origin: format!("{origin}:{}:{}", v.label(), now.timestamp_micros()),
        origin,
        source: "console",
        kind: "email".into(),
        severity: severity(v),
        title,
        body: String::new(),
        link: Some("/infra".into()),
        tenants: vec![t.name.clone()],
        regions: t.region.clone().into_iter().collect(),
        at: now,
        text,
    }
}

/// How long a check stands when nothing changed.
pub const RECHECK_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// Whether a tenant is due: never checked, a latest snapshot other than the one checked (compared by id: a
/// snapshot committed late may carry an earlier time), or a check older than `RECHECK_AFTER`.
fn due(t: &TenantRow, prev: Option<&repo::MailRow>, now: DateTime<Utc>) -> bool {
    match prev {
        Some(p) => match p.checked_at {
            None => true,
            Some(checked) => p.snapshot_id != t.snapshot_id || now - checked >= RECHECK_AFTER,
        },
        None => true,
    }
}

/// Checks every tenant that is due; how many sender domains were read.
pub async fn check_all(pool: &PgPool, dns: &DnsChecker, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let (tenants, previous) = {
        let mut conn = pool.acquire().await?;
        let previous: HashMap<uuid::Uuid, repo::MailRow> =
            repo::mail_rows(&mut conn).await?.into_iter().map(|r| (r.tenant_id, r)).collect();
        (repo::tenants(&mut conn).await?, previous)
    };
    let mut read = 0;
    for t in &tenants {
        let prev = previous.get(&t.id);
        if !due(t, prev, now) {
            continue;
        }
        let selectors = prev.map(|p| p.selectors.clone()).unwrap_or_default();
        let (domain, provider, checks): (Option<String>, Option<String>, Vec<MailCheck>) = match sender(t) {
            Some((provider, domain)) => {
                read += 1;
                let (used, records) = mail::read(dns, &provider, &domain, &selectors).await;
                let checks = mail::judge(&provider, &domain, &used, &records);
                (Some(domain), Some(provider), checks)
            }
            None => (None, None, Vec::new()),
        };
        let row = email::row(t);
        let checks_json = serde_json::to_value(&checks).unwrap_or(Value::Array(Vec::new()));
        let mut tx = pool.begin().await?;
        repo::save_mail(
            &mut tx,
            &MailState {
                tenant_id: t.id,
                domain: domain.as_deref(),
                provider: provider.as_deref(),
                provider_verdict: row.verdict.label(),
                snapshot_id: t.snapshot_id,
                checks: &checks_json,
                at: now,
            },
        )
        .await?;
        let before = prev.and_then(|p| p.provider_verdict.as_deref()).and_then(verdict_of);
        if worth_telling(before, row.verdict) {
            let n = notice(
                t,
                format!("infra:email:{}", t.id),
                format!("{}: email provider", t.name),
                row.verdict,
                format!("{} ({}): {}", row.provider, row.verdict.label(), row.advice),
                now,
            );
            crate::notifications::record::apply(&mut tx, &n, now).await?;
        }
        let earlier: Vec<MailCheck> =
            prev.and_then(|p| serde_json::from_value(p.checks.clone()).ok()).unwrap_or_default();
        if let Some(domain) = &domain {
            for c in &checks {
                let before = earlier.iter().find(|e| e.record == c.record).map(|e| e.verdict);
                if worth_telling(before, c.verdict) {
                    let n = notice(
                        t,
                        format!("infra:mail:{}:{}", t.id, c.record.to_ascii_lowercase()),
                        format!("{}: {} of {domain}", t.name, c.record),
                        c.verdict,
                        format!("{} {}: {}", c.record, c.verdict.label(), c.advice),
                        now,
                    );
                    crate::notifications::record::apply(&mut tx, &n, now).await?;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(read)
}

/// Parses "s1, s2" into DKIM selectors: at most 8, each a DNS label path of letters, digits, `-`, `_` and `.`.
pub fn selectors(text: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> =
        text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_ascii_lowercase).collect();
    if list.len() > 8 {
        return Err("give at most 8 DKIM selectors".into());
    }
    for s in &list {
        let ok = s.len() <= 63
            && !s.starts_with(['.', '-'])
            && !s.ends_with('.')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            return Err(format!("{:?} is not a DKIM selector (letters, digits, - _ and .)", crate::text::cut(s, 40)));
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tenant(provider: Value) -> TenantRow {
        TenantRow {
            id: uuid::Uuid::nil(),
            name: "acme-prod".into(),
            environment: "production".into(),
            region: None,
            snapshot_at: None,
            snapshot_id: None,
            provider: Some(provider),
            ..TenantRow::default()
        }
    }

    #[test]
    fn the_sender_domain_comes_from_the_default_from_address() {
        let t =
            tenant(json!({"name": "sendgrid", "enabled": true, "default_from_address": "Acme <Login@Acme.Example>"}));
        assert_eq!(sender(&t), Some(("sendgrid".into(), "acme.example".into())));
        assert_eq!(
            sender(&tenant(json!({"name": "ses", "enabled": false, "default_from_address": "a@b.example"}))),
            None
        );
        assert_eq!(sender(&tenant(json!({"name": "ses", "default_from_address": "not an address"}))), None);
        assert_eq!(sender(&tenant(Value::Null)), None);
    }

    #[test]
    fn only_news_is_told() {
        assert!(worth_telling(None, EmailVerdict::Warning));
        assert!(!worth_telling(None, EmailVerdict::Ok));
        assert!(!worth_telling(Some(EmailVerdict::Warning), EmailVerdict::Warning));
        assert!(worth_telling(Some(EmailVerdict::Required), EmailVerdict::Ok), "a cleared problem is told");
        assert!(!worth_telling(Some(EmailVerdict::Required), EmailVerdict::Unknown));
    }

    #[test]
    fn selectors_are_bounded_dns_labels() {
        assert_eq!(selectors(" S1, s2 ").expect("ok"), ["s1", "s2"]);
        assert!(selectors("").expect("empty is the provider's").is_empty());
        assert!(selectors("bad/selector").is_err());
        assert!(selectors("a,b,c,d,e,f,g,h,i").is_err());
    }
}
