//! `/infra`'s reachability section: the checks of the company's own endpoints that Auth0 calls (run by the
//! monitoring area, listed here with the firewall they belong to).

use leptos::prelude::*;

use crate::accounts::{Role, current_user};
use crate::monitoring::{ChecksTable, MonitoringQuery, load_checks};
use crate::pages::{Empty, loaded};

#[component]
pub fn ReachSection() -> impl IntoView {
    let can_add = current_user().is_some_and(|u| u.role >= Role::OpsLead);
    let query = MonitoringQuery { reach: Some(true), page: 1, ..MonitoringQuery::default() };
    view! {
        <section class="card" id="reach" aria-labelledby="reach-h">
            <h2 id="reach-h">"Reachability of your endpoints"</h2>
            <p class="muted">
                "TCP connects, HTTPS status and certificate, SMTP greeting and STARTTLS for the services Auth0 calls: \
                 a custom database's API, your SMTP server, a log-stream receiver. "
                <strong>"These checks run from where Tenantry runs, not from Auth0"</strong>
                ": a pass proves the service answers, not that your firewall lets Auth0's ranges (above) through. \
                 Three failures in a row open an alert and notify; two passes resolve it."
            </p>
            {can_add.then(|| view! {
                <p class="actions">
                    <a class="button" href="/monitoring/new?kind=https">"Add an HTTPS check"</a>" "
                    <a class="button" href="/monitoring/new?kind=tcp">"Add a TCP check"</a>" "
                    <a class="button" href="/monitoring/new?kind=smtp">"Add an SMTP check"</a>
                </p>
            })}
            {loaded("Reading reachability checks…", load_checks(query), move |list| {
                if list.rows.is_empty() {
                    view! {
                        <Empty>"No reachability check yet. Ops leads add one for each endpoint Auth0 calls (the firewall guide below lists what each tenant's snapshot names)."</Empty>
                    }.into_any()
                } else {
                    let more = (list.pages > 1).then(|| view! {
                        <p><a href="/monitoring?what=reach&page=2">{format!("All {} reachability checks", list.total)}</a></p>
                    });
                    view! { <div data-testid="reach"><ChecksTable rows=list.rows /></div>{more} }.into_any()
                }
            })}
        </section>
    }
}
