//! `/logs/quarantine`: the items that could not be read as events, verbatim, with why.

use leptos::prelude::*;
use leptos_meta::Title;

use super::load_quarantine;
use super::search::logs_nav;
use crate::format::timestamp;
use crate::pages::{Empty, loaded};

/// `/logs/quarantine`.
#[component]
pub fn QuarantinePage() -> impl IntoView {
    view! {
        <Title text="Logs quarantine" />
        <h1>"Quarantine"</h1>
        {logs_nav("/logs/quarantine")}
        <p class="lead">"Items a log stream, a pull or an import sent that are not Auth0 log events, kept as they came, newest first (the last 200)."</p>
        {loaded("Reading the quarantine…", load_quarantine(), |rows| view! {
            {rows.is_empty().then(|| view! { <Empty>"Nothing is in quarantine: every item received so far was a readable event."</Empty> })}
            <table class="table" data-testid="quarantine">
                <thead><tr><th>"Received (UTC)"</th><th>"Tenant"</th><th>"From"</th><th>"Why"</th><th>"Item"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|q| view! {
                        <tr data-testid="quarantined">
                            <td>{timestamp(q.received_at)}</td>
                            <td>{q.tenant_name}</td>
                            <td>{q.source}</td>
                            <td>{q.reason}</td>
                            <td><pre class="payload">{q.item}</pre></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}
