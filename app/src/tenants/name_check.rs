//! `/tenants/check-name`: a proposed tenant name against Auth0's rules, the convention and known tenants.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Environment, check_tenant_name};
use crate::pages::loaded;

/// `/tenants/check-name`: a proposed tenant name against Auth0's rules, the convention and known tenants.
#[component]
pub fn NameCheckPage() -> impl IntoView {
    let query = use_query_map();
    let (name, company, env) = query.with_untracked(|q| {
        (
            q.get("name").unwrap_or_default(),
            q.get("company").unwrap_or_default(),
            q.get("environment").unwrap_or_default(),
        )
    });
    let asked = !name.trim().is_empty();
    let (n, c, e) = (name.clone(), company.clone(), env.clone());
    view! {
        <Title text="Check a tenant name" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Check a name"</p>
        <h1>"Check a tenant name"</h1>
        <p class="lead">"An Auth0 tenant name is permanent: it cannot be changed, and cannot be used again after the tenant is deleted. Check it before you create the tenant."</p>
        <form method="get" action="/tenants/check-name" class="form grid card">
            <label for="name">"Proposed name"</label>
            <input id="name" name="name" type="text" required value=name.clone() spellcheck="false" />
            <label for="company">"Company"</label>
            <input id="company" name="company" type="text" value=company.clone() placeholder="acme" />
            <label for="environment">"Environment"</label>
            <select id="environment" name="environment">
                <option value="">"—"</option>
                {Environment::ALL.into_iter().map(|x| view! { <option value=x.as_str() selected=x.as_str() == env>{x.label()}</option> }).collect_view()}
            </select>
            <span></span>
            <button type="submit" class="primary">"Check"</button>
        </form>
        {asked.then(|| view! {
            {loaded("Checking…", check_tenant_name(n.clone(), c.clone(), e.clone()), |v| view! {
                            <section class=if v.problems.is_empty() && !v.collides_with_known { "card" } else { "notice error" } data-testid="name-verdict">
                                {if v.problems.is_empty() {
                                    view! { <p><strong>{v.name.clone()}</strong>" is a valid tenant name."</p> }.into_any()
                                } else {
                                    view! {
                                        <p><strong>{v.name.clone()}</strong>" cannot be a tenant name:"</p>
                                        <ul>{v.problems.clone().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                                    }.into_any()
                                }}
                                {v.collides_with_known.then(|| view! { <p>"A tenant with this name is already registered in Tenantry."</p> })}
                                {(!v.follows_convention).then(|| view! { <p>"It does not follow the {company}-{env} convention (-dev, -qa, -uat, -staging, -prod, -sandboxN)."</p> })}
                                {v.suggestion.clone().map(|s| view! { <p>"Suggested: "<code>{s}</code></p> })}
                                <p class="help">"Remember: the name is permanent."</p>
                            </section>
            })}
        })}
    }
}
