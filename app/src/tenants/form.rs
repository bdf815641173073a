//! `/tenants/new` (developer) and `/tenants/:id/edit` (admin): the tenant form.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{AddTenant, Environment, RemoveTenant, TenantFields, UpdateTenant, load_tenant_fields};
use crate::ids::TenantId;
use crate::pages::{Problem, failure, loaded};

#[component]
fn TenantFormFields(fields: TenantFields, editing: bool) -> impl IntoView {
    let env = fields.environment.clone();
    let association = if fields.association.is_empty() { "unknown".to_string() } else { fields.association.clone() };
    view! {
        <label for="domain">"Auth0 domain"</label>
        <input id="domain" name="domain" type="text" required value=fields.domain.clone() placeholder="acme-prod.us.auth0.com" spellcheck="false" />
        <label for="name">"Tenant name"</label>
        <input id="name" name="name" type="text" value=fields.name.clone() placeholder="read from the domain" spellcheck="false" />
        <label for="region">"Region"</label>
        <input id="region" name="region" type="text" value=fields.region.clone() placeholder="read from the domain (us, eu, au, jp, ca, uk)" />
        <label for="environment">"Environment"</label>
        <select id="environment" name="environment" required>
            {Environment::ALL.into_iter().map(|e| view! { <option value=e.as_str() selected=e.as_str() == env>{e.label()}</option> }).collect_view()}
        </select>
        <label for="user_domain">"User domain"</label>
        <input id="user_domain" name="user_domain" type="text" required value=fields.user_domain.clone() placeholder="customers, employees, affiliates…" />
        <label for="association">"Company account"</label>
        <select id="association" name="association">
            <option value="associated" selected=association == "associated">"associated"</option>
            <option value="not_associated" selected=association == "not_associated">"not associated"</option>
            <option value="unknown" selected=association == "unknown">"unknown"</option>
        </select>
        <label for="account_name">"Account name"</label>
        <input id="account_name" name="account_name" type="text" value=fields.account_name.clone() />
        <label for="paid_features">"Paid features"</label>
        <input id="paid_features" name="paid_features" type="checkbox" checked=fields.paid_features />
        <label for="client_id">"M2M client id"</label>
        <input id="client_id" name="client_id" type="text" required value=fields.client_id.clone() spellcheck="false" autocomplete="off" />
        <label for="client_secret">"M2M client secret"</label>
        <input id="client_secret" name="client_secret" type="password" required=!editing autocomplete="new-password"
            placeholder=if editing { "leave empty to keep the stored secret" } else { "" } />
        <label for="api_base_url">"API address"</label>
        <input id="api_base_url" name="api_base_url" type="text" value=fields.api_base_url.clone() placeholder="https://DOMAIN (default)" spellcheck="false" />
        <label for="notes">"Notes"</label>
        <textarea id="notes" name="notes" rows="3">{fields.notes.clone()}</textarea>
    }
}

/// `/tenants/new` (developer).
#[component]
pub fn TenantNewPage() -> impl IntoView {
    let add = ServerAction::<AddTenant>::new();
    let error = failure(add);
    view! {
        <Title text="Add a tenant" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Add"</p>
        <h1>"Add a tenant"</h1>
        <p class="lead">
            "Tenantry reads the tenant with a machine-to-machine application that has the read:tenant_settings, \
             read:custom_domains, read:email_provider, read:log_streams and read:stats scopes; with read:connections, \
             read:connections_options, read:actions, read:clients, read:resource_servers, read:rules, read:hooks, \
             read:guardian_factors, read:attack_protection, read:prompts, read:signing_keys and read:email_templates it also reads the configuration the \
             firewall guide and the readiness checklists use (without one, that part shows as unknown)."
        </p>
        <Problem error />
        <section class="card">
            <ActionForm action=add attr:class="form grid">
                <TenantFormFields fields=TenantFields::default() editing=false />
                <span></span>
                <button type="submit" class="primary">"Add tenant"</button>
            </ActionForm>
        </section>
    }
}

/// `/tenants/:id/edit` (admin).
#[component]
pub fn TenantEditPage() -> impl IntoView {
    let raw_id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let update = ServerAction::<UpdateTenant>::new();
    let remove = ServerAction::<RemoveTenant>::new();
    let error = failure(update).or(failure(remove));
    view! {
        <Title text="Edit tenant" />
        <p class="crumbs"><a href="/tenants">"Tenants"</a>" / Edit"</p>
        <h1>"Edit tenant"</h1>
        <Problem error />
        {loaded("Reading the tenant…", async move {
            let id = raw_id.parse::<TenantId>()?;
            Ok((id, load_tenant_fields(id).await?))
        }, move |(id, fields)| {
                        let (update_id, remove_id) = (id.to_string(), id.to_string());
                        view! {
                        <section class="card">
                            <ActionForm action=update attr:class="form grid">
                                <input type="hidden" name="id" value=update_id />
                                <TenantFormFields fields editing=true />
                                <span></span>
                                <button type="submit" class="primary">"Save"</button>
                            </ActionForm>
                        </section>
                        <section class="card">
                            <h2>"Remove"</h2>
                            <p>"Removes the tenant from Tenantry with its snapshots and history. The tenant in Auth0 is not touched."</p>
                            <ActionForm action=remove>
                                <input type="hidden" name="id" value=remove_id />
                                <button type="submit" class="danger">"Remove from Tenantry"</button>
                            </ActionForm>
                        </section>
                    }
        })}
    }
}
