//! The sender domain's mail records, read in live DNS: SPF (and whether it lets the provider send), DKIM (the
//! provider's usual selectors, or the ones set for the tenant) and DMARC (its policy). Each verdict comes with what to
//! do. `judge` is pure; `read` asks a resolver.

use app::infra::{EmailVerdict, MailCheck};

use crate::domains::dns::DnsChecker;

/// What a provider's SPF include and DKIM selectors usually are (`name` as the Management API spells it).
pub fn provider_defaults(name: &str) -> (Option<&'static str>, &'static [&'static str]) {
    match name {
        "sendgrid" => (Some("sendgrid.net"), &["s1", "s2"]),
        "mailgun" => (Some("mailgun.org"), &["mx", "smtp", "k1", "krs", "pic"]),
        "mandrill" => (Some("spf.mandrillapp.com"), &["mandrill"]),
        "sparkpost" => (Some("sparkpostmail.com"), &["scph0124", "scph1024"]),
        "ses" => (Some("amazonses.com"), &[]),
        "resend" => (Some("amazonses.com"), &["resend"]),
        "ms365" => (Some("spf.protection.outlook.com"), &["selector1", "selector2"]),
        "azure_cs" => {
            (Some("spf.protection.outlook.com"), &["selector1-azurecomm-prod-net", "selector2-azurecomm-prod-net"])
        }
        _ => (None, &["default", "selector1", "google", "k1"]),
    }
}

/// The DNS answers the verdicts are made from; `Err` = the lookup failed (the verdict is unknown).
#[derive(Clone, Debug)]
pub struct MailRecords {
    /// TXT records at the domain.
    pub apex: Result<Vec<String>, String>,
    /// TXT records at `_dmarc.{domain}`.
    pub dmarc: Result<Vec<String>, String>,
    /// (selector, TXT records at `{selector}._domainkey.{domain}`).
    pub dkim: Vec<(String, Result<Vec<String>, String>)>,
}

fn check(record: &str, verdict: EmailVerdict, found: String, advice: String) -> MailCheck {
    MailCheck { record: record.to_string(), verdict, found, advice }
}

fn starts(txt: &str, prefix: &str) -> bool {
    txt.trim_start().get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// The three verdicts for `domain` sending through `provider`.
pub fn judge(provider: &str, domain: &str, selectors: &[String], r: &MailRecords) -> Vec<MailCheck> {
    let (include, _) = provider_defaults(provider);
    let cut = |t: &str| crate::text::cut(t, 300).to_string();
    let spf = match &r.apex {
        Err(e) => check(
            "SPF",
            EmailVerdict::Unknown,
            String::new(),
            format!("The DNS lookup failed ({e}); Tenantry tries again."),
        ),
        Ok(txt) => {
            let spf: Vec<&String> = txt.iter().filter(|t| starts(t, "v=spf1")).collect();
            match spf.as_slice() {
                [] => check(
                    "SPF",
                    EmailVerdict::Warning,
                    "none".into(),
                    format!(
                        "{domain} publishes no SPF record, so receivers cannot tell your provider may send for it. Add a TXT \
                         record at {domain}: v=spf1 {}~all.",
                        include.map(|i| format!("include:{i} ")).unwrap_or_default()
                    ),
                ),
                [one] => {
                    let lower = one.to_ascii_lowercase();
                    if lower.split_whitespace().any(|t| t == "+all" || t == "all") {
                        check(
                            "SPF",
                            EmailVerdict::Required,
                            cut(one),
                            "The record ends in +all: anyone may send as your domain. End it with ~all or -all.".into(),
                        )
                    } else if let Some(i) = include.filter(|i| !lower.contains(&format!("include:{i}"))) {
                        check(
                            "SPF",
                            EmailVerdict::Warning,
                            cut(one),
                            format!(
                                "The record does not include {i}, so mail your provider sends may fail SPF. Add include:{i} before the all."
                            ),
                        )
                    } else {
                        check("SPF", EmailVerdict::Ok, cut(one), "Your provider may send for the domain.".into())
                    }
                }
                many => check(
                    "SPF",
                    EmailVerdict::Required,
                    many.iter().map(|t| cut(t)).collect::<Vec<_>>().join(" | "),
                    format!(
                        "{domain} publishes {} SPF records; receivers treat that as an error (permerror). Merge them into one.",
                        many.len()
                    ),
                ),
            }
        }
    };
    let dkim = if selectors.is_empty() {
        check(
            "DKIM",
            EmailVerdict::Unknown,
            String::new(),
            "This provider makes its own DKIM selectors (Amazon SES: three random names). Set the selectors for the tenant to check them.".into(),
        )
    } else {
        let mut found = Vec::new();
        let mut revoked = Vec::new();
        let mut failed = Vec::new();
        for (selector, answer) in &r.dkim {
            match answer {
                Err(e) => failed.push(format!("{selector} ({e})")),
                Ok(txt) => {
                    for t in txt {
                        let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                        if compact.contains("p=;") || compact.ends_with("p=") {
                            revoked.push(selector.clone());
                        } else if starts(t, "v=DKIM1") || compact.contains("p=") {
                            found.push(selector.clone());
                        }
                    }
                }
            }
        }
        let names =
            |list: &[String]| list.iter().map(|s| format!("{s}._domainkey.{domain}")).collect::<Vec<_>>().join(", ");
        if !found.is_empty() {
            check(
                "DKIM",
                EmailVerdict::Ok,
                names(&found),
                "A DKIM key is published; your provider can sign the mail.".into(),
            )
        } else if !revoked.is_empty() {
            check(
                "DKIM",
                EmailVerdict::Required,
                names(&revoked),
                "The DKIM key is revoked (an empty p=): signed mail fails DKIM. Publish the key your provider shows."
                    .into(),
            )
        } else if !failed.is_empty() {
            check(
                "DKIM",
                EmailVerdict::Unknown,
                failed.join(", "),
                "The DNS lookup failed; Tenantry tries again.".into(),
            )
        } else {
            check(
                "DKIM",
                EmailVerdict::Warning,
                "none".into(),
                format!(
                    "No DKIM key at {}. Publish the records your provider gives (often CNAMEs), or set the selectors you use.",
                    names(selectors)
                ),
            )
        }
    };
    let dmarc = match &r.dmarc {
        Err(e) => check(
            "DMARC",
            EmailVerdict::Unknown,
            String::new(),
            format!("The DNS lookup failed ({e}); Tenantry tries again."),
        ),
        Ok(txt) => {
            let records: Vec<&String> = txt.iter().filter(|t| starts(t, "v=DMARC1")).collect();
            match records.as_slice() {
                [] => check(
                    "DMARC",
                    EmailVerdict::Warning,
                    "none".into(),
                    format!(
                        "No DMARC policy at _dmarc.{domain}. Start with v=DMARC1; p=none; rua=mailto:… to see who sends as you, then move to quarantine."
                    ),
                ),
                [one] => {
                    let policy = one
                        .split(';')
                        .filter_map(|kv| kv.split_once('='))
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case("p"))
                        .map(|(_, v)| v.trim().to_ascii_lowercase())
                        .unwrap_or_default();
                    match policy.as_str() {
                        "quarantine" | "reject" => check("DMARC", EmailVerdict::Ok, format!("p={policy}"), format!("Receivers {policy} mail that fails SPF and DKIM alignment.")),
                        "none" => check(
                            "DMARC",
                            EmailVerdict::Warning,
                            "p=none".into(),
                            "Monitoring only: mail that fails alignment is still delivered. Move to p=quarantine once reports show only your senders.".into(),
                        ),
                        _ => check("DMARC", EmailVerdict::Warning, cut(one), "The record has no valid p= policy; receivers ignore it.".into()),
                    }
                }
                many => check(
                    "DMARC",
                    EmailVerdict::Required,
                    format!("{} records", many.len()),
                    "More than one DMARC record: receivers ignore them all. Keep one.".into(),
                ),
            }
        }
    };
    vec![spf, dkim, dmarc]
}

/// Reads the records for `domain` (the selectors given, else the provider's usual ones).
pub async fn read(dns: &DnsChecker, provider: &str, domain: &str, selectors: &[String]) -> (Vec<String>, MailRecords) {
    let selectors: Vec<String> = if selectors.is_empty() {
        provider_defaults(provider).1.iter().map(|s| s.to_string()).collect()
    } else {
        selectors.to_vec()
    };
    let mut dkim = Vec::new();
    for s in &selectors {
        dkim.push((s.clone(), dns.txt(&format!("{s}._domainkey.{domain}")).await));
    }
    let records = MailRecords { apex: dns.txt(domain).await, dmarc: dns.txt(&format!("_dmarc.{domain}")).await, dkim };
    (selectors, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(apex: &[&str], dmarc: &[&str], dkim: &[(&str, &[&str])]) -> MailRecords {
        let owned = |l: &[&str]| Ok(l.iter().map(|s| s.to_string()).collect());
        MailRecords {
            apex: owned(apex),
            dmarc: owned(dmarc),
            dkim: dkim.iter().map(|(s, l)| (s.to_string(), owned(l))).collect(),
        }
    }

    fn verdicts(checks: &[MailCheck]) -> Vec<(&str, EmailVerdict)> {
        checks.iter().map(|c| (c.record.as_str(), c.verdict)).collect()
    }

    #[test]
    fn a_domain_set_up_for_its_provider_passes() {
        let r = records(
            &["google-site-verification=abc", "v=spf1 include:sendgrid.net -all"],
            &["v=DMARC1; p=reject; rua=mailto:d@acme.example"],
            &[("s1", &["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ"]), ("s2", &[])],
        );
        let c = judge("sendgrid", "acme.example", &["s1".into(), "s2".into()], &r);
        assert_eq!(verdicts(&c), [("SPF", EmailVerdict::Ok), ("DKIM", EmailVerdict::Ok), ("DMARC", EmailVerdict::Ok)]);
        assert_eq!(c[1].found, "s1._domainkey.acme.example");
        assert_eq!(c[2].found, "p=reject");
    }

    #[test]
    fn each_broken_record_says_what_to_do() {
        let none = records(&[], &[], &[("s1", &[])]);
        let c = judge("sendgrid", "acme.example", &["s1".into()], &none);
        assert_eq!(
            verdicts(&c),
            [("SPF", EmailVerdict::Warning), ("DKIM", EmailVerdict::Warning), ("DMARC", EmailVerdict::Warning)]
        );
        assert!(c[0].advice.contains("v=spf1 include:sendgrid.net ~all"), "{}", c[0].advice);
        assert!(c[1].advice.contains("s1._domainkey.acme.example"), "{}", c[1].advice);

        let wrong = records(
            &["v=spf1 include:_spf.google.com ~all"],
            &["v=DMARC1; p=none"],
            &[("s1", &["v=DKIM1; k=rsa; p="])],
        );
        let c = judge("sendgrid", "acme.example", &["s1".into()], &wrong);
        assert_eq!(
            verdicts(&c),
            [("SPF", EmailVerdict::Warning), ("DKIM", EmailVerdict::Required), ("DMARC", EmailVerdict::Warning)]
        );
        assert!(c[0].advice.contains("does not include sendgrid.net"));
        assert!(c[1].advice.contains("revoked"));
        assert!(c[2].advice.contains("Monitoring only"));

        let two = records(
            &["v=spf1 -all", "V=SPF1 include:sendgrid.net ~all"],
            &["v=DMARC1; p=quarantine", "v=DMARC1; p=reject"],
            &[],
        );
        let c = judge("sendgrid", "acme.example", &[], &two);
        assert_eq!(c[0].verdict, EmailVerdict::Required, "two SPF records");
        assert_eq!(c[1].verdict, EmailVerdict::Unknown, "no selectors to look at");
        assert_eq!(c[2].verdict, EmailVerdict::Required, "two DMARC records");
        let open = records(&["v=spf1 include:sendgrid.net +all"], &[], &[]);
        assert_eq!(judge("sendgrid", "acme.example", &[], &open)[0].verdict, EmailVerdict::Required);
    }

    #[test]
    fn a_failed_lookup_is_unknown_never_ok() {
        let r = MailRecords {
            apex: Err("no answer".into()),
            dmarc: Err("no answer".into()),
            dkim: vec![("s1".into(), Err("no answer".into()))],
        };
        let c = judge("sendgrid", "acme.example", &["s1".into()], &r);
        assert!(c.iter().all(|c| c.verdict == EmailVerdict::Unknown), "{c:?}");
    }
}
