//! `/infra`'s firewall guide: per tenant, what Auth0 calls in the company's network and the ranges to allow.

use leptos::prelude::*;

use super::FirewallRow;
use crate::pages::Empty;

#[component]
pub fn FirewallSection(rows: Vec<FirewallRow>, has_list: bool) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="card" aria-labelledby="firewall-h">
            <h2 id="firewall-h">"Firewall guide"</h2>
            <p class="muted">
                "What Auth0 calls in your network, read from each tenant's latest snapshot: allow the tenant's region's \
                 ranges (above) to these hosts and ports. Custom database scripts and Actions are listed with the \
                 URLs their code spells out; code can also call what it builds at run time or reads from a secret, \
                 so read it too. Rules and Hooks are not read."
            </p>
            {empty.then(|| view! { <Empty>"No tenant is registered yet."</Empty> })}
            {rows.into_iter().map(|r| {
                let region = r.region.clone().map(|x| x.to_ascii_uppercase()).unwrap_or_else(|| "unknown region".into());
                let ranges = match (r.ranges, has_list) {
                    (Some(n), _) => format!("{n} range(s) for {region}"),
                    (None, true) => format!("the list names no ranges for {region}"),
                    (None, false) => "the IP list has not been read yet".into(),
                };
                let none = r.entries.is_empty();
                view! {
                    <div class="firewall" data-testid="firewall" data-tenant=r.tenant.clone()>
                        <h3><a href=format!("/tenants/{}", r.tenant_id)>{r.tenant.clone()}</a>" · "{ranges}</h3>
                        {(none && !r.read).then(|| view! {
                            <p class="muted small">"Not read yet: Tenantry has no snapshot of this tenant, so what Auth0 calls is unknown. Its page says why the last read failed."</p>
                        })}
                        {(none && r.read).then(|| view! {
                            <p class="muted small">"Nothing in the snapshot calls into your network (no SMTP server, no HTTP or Splunk log stream, no custom database, no Action)."</p>
                        })}
                        {(!none).then(|| view! {
                            <table class="list compact">
                                <thead><tr><th>"What"</th><th>"Auth0 connects to"</th><th>"TCP port"</th><th>"Note"</th></tr></thead>
                                <tbody>
                                    {r.entries.into_iter().map(|e| view! {
                                        <tr data-testid="firewall-entry">
                                            <td>{e.what}</td><td><code>{e.target}</code></td><td>{e.ports}</td><td class="muted small">{e.note}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                    </div>
                }
            }).collect_view()}
        </section>
    }
}
