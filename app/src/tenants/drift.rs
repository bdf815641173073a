//! `/tenants/drift`: one user domain's settings, applications and connections side by side across its SDLC
//! tenants.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{DriftRow, DriftState, load_drift};
use crate::pages::{Empty, loaded};

/// `/tenants/drift`: one user domain's settings side by side across its SDLC tenants.
#[component]
pub fn DriftPage() -> impl IntoView {
    let (user_domain, all) = use_query_map()
        .with_untracked(|q| (q.get("user_domain").unwrap_or_default(), q.get("all").is_some_and(|v| v == "1")));
    view! {
        <Title text="Drift" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Drift"</p>
        <h1>"Drift between environments"</h1>
        <p class="lead">
            "The settings, applications and connections of one user domain's tenants side by side, development \
             first: what production has that development lacks (applications and connections matched by name). \
             Differences that are expected — the tenant's own name, or fields configured as \
             expected — are greyed."
        </p>
        {loaded("Comparing…", load_drift(user_domain.clone()), move |d| {
                        if d.tenants.is_empty() {
                            return view! { <Empty>"No tenants yet: "<a href="/tenants/new">"add some"</a>", then compare them here."</Empty> }.into_any();
                        }
                        let differing = d.rows.iter().filter(|r| r.state == DriftState::Differs).count();
                        let shown: Vec<DriftRow> = d.rows.into_iter().filter(|r| all || r.state != DriftState::Same).collect();
                        let chosen = d.user_domain.clone();
                        view! {
                            <form method="get" action="/tenants/drift" class="filters card">
                                <label>
                                    "User domain"
                                    <select name="user_domain">
                                        {d.user_domains.into_iter().map(|u| {
                                            let selected = u == chosen;
                                            view! { <option value=u.clone() selected=selected>{u.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label class="check"><input type="checkbox" name="all" value="1" checked=all />" show equal fields too"</label>
                                <button type="submit" class="primary">"Compare"</button>
                            </form>
                            <p class="muted" data-testid="drift-summary">{format!("{differing} field(s) differ unexpectedly across {} tenant(s).", d.tenants.len())}</p>
                            <div class="matrix-wrap">
                                <table class="table drift" data-testid="drift">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Field"</th>
                                            {d.tenants.iter().map(|(id, name, env, has)| view! {
                                                <th scope="col">
                                                    <a href=format!("/tenants/{id}")>{name.clone()}</a>
                                                    <div class="small">{env.label()}{(!has).then_some(" · not read yet")}</div>
                                                </th>
                                            }).collect_view()}
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {shown.into_iter().map(|row| {
                                            let class = match row.state {
                                                DriftState::Same => "same",
                                                DriftState::Expected => "expected",
                                                DriftState::Differs => "differs",
                                            };
                                            let (field, field_attr, state) = (row.field.clone(), row.field.clone(), row.state);
                                            view! {
                                                <tr class=class data-field=field_attr>
                                                    <th scope="row"><code>{field}</code>{(state == DriftState::Expected).then_some(" (expected)")}</th>
                                                    {row.values.into_iter().map(|v| view! { <td>{v.unwrap_or_else(|| "—".into())}</td> }).collect_view()}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
        })}
    }
}
