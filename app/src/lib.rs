//! The Tenantry console as people see it: Leptos pages rendered on the server.
//!
//! Each area has one module here (`system`, later `tenants`, `domains`, …) holding its page, the DTOs the page
//! shows, its `#[server]` functions and — under the `ssr` feature — the port trait the server implements.
//! Pages read through server functions and ports only; this crate never touches the database or the network.

pub mod accounts;
pub mod api;
pub mod areas;
pub mod checklists;
pub mod domains;
pub mod error;
pub mod format;
pub mod ids;
pub mod infra;
pub mod layout;
pub mod logs;
pub mod monitoring;
pub mod notifications;
pub mod pages;
pub mod peak;
pub mod security;
pub mod settings;
pub mod status;
mod stored;
pub mod system;
pub mod tenants;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::accounts::{DeniedPage, SetupPage, SignInPage};
use crate::checklists::{ChecklistReportPage, ChecklistsPage, TenantChecklistPage};
use crate::domains::{DomainCheckPage, DomainPage, DomainsPage};
use crate::layout::Layout;
use crate::logs::{LogEventPage, LogsPage, QuarantinePage, UserLookupPage};
use crate::monitoring::{CheckEditPage, CheckNewPage, CheckPage, MonitoringPage};
use crate::notifications::{
    ChannelEditPage, ChannelNewPage, ChannelPage, ChannelsPage, FeedsPage, NotificationPage, NotificationsPage,
};
use crate::pages::NotFound;
use crate::peak::PeakPage;
use crate::settings::{AuditPage, SettingsPage, UsersPage};
use crate::status::{BoardPage, IncidentPage, IncidentsPage, SourcesPage};
use crate::system::SystemPage;
use crate::tenants::{DriftPage, NameCheckPage, TenantEditPage, TenantNewPage, TenantPage, TenantsPage};

/// The HTML document around every page. No hydration scripts: pages are complete HTML and work without
/// JavaScript (see DESIGN.md).
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/assets/tenantry.css" />
                <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The console: one route per navigation entry.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|title: String| format!("{title} · Tenantry") />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=BoardPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants") view=TenantsPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants/new") view=TenantNewPage />
                    <Route path=path!("/tenants/check-name") view=NameCheckPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants/drift") view=DriftPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants/:id") view=TenantPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants/:id/edit") view=TenantEditPage ssr=SsrMode::Async />
                    <Route path=path!("/domains") view=DomainsPage ssr=SsrMode::Async />
                    <Route path=path!("/domains/check") view=DomainCheckPage ssr=SsrMode::Async />
                    <Route path=path!("/domains/:id") view=DomainPage ssr=SsrMode::Async />
                    <Route path=path!("/status") view=BoardPage ssr=SsrMode::Async />
                    <Route path=path!("/status/sources") view=SourcesPage ssr=SsrMode::Async />
                    <Route path=path!("/status/incidents") view=IncidentsPage ssr=SsrMode::Async />
                    <Route path=path!("/status/incidents/:id") view=IncidentPage ssr=SsrMode::Async />
                    <Route path=path!("/monitoring") view=MonitoringPage ssr=SsrMode::Async />
                    <Route path=path!("/monitoring/new") view=CheckNewPage ssr=SsrMode::Async />
                    <Route path=path!("/monitoring/:id") view=CheckPage ssr=SsrMode::Async />
                    <Route path=path!("/monitoring/:id/edit") view=CheckEditPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications/feeds") view=FeedsPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications/channels") view=ChannelsPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications/channels/new") view=ChannelNewPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications/channels/:id") view=ChannelPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications/channels/:id/edit") view=ChannelEditPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications/:id") view=NotificationPage ssr=SsrMode::Async />
                    <Route path=path!("/logs") view=LogsPage ssr=SsrMode::Async />
                    <Route path=path!("/logs/quarantine") view=QuarantinePage ssr=SsrMode::Async />
                    <Route path=path!("/logs/user") view=UserLookupPage ssr=SsrMode::Async />
                    <Route path=path!("/logs/peak") view=PeakPage ssr=SsrMode::Async />
                    <Route path=path!("/logs/:tenant/:log_id") view=LogEventPage ssr=SsrMode::Async />
                    <Route path=path!("/infra") view=infra::InfraPage ssr=SsrMode::Async />
                    <Route path=path!("/checklists") view=ChecklistsPage ssr=SsrMode::Async />
                    <Route path=path!("/checklists/:tenant") view=TenantChecklistPage ssr=SsrMode::Async />
                    <Route path=path!("/checklists/:tenant/report") view=ChecklistReportPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage />
                    <Route path=path!("/settings/users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/settings/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/settings/tokens") view=accounts::TokensPage ssr=SsrMode::Async />
                    <Route path=path!("/system") view=SystemPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=SignInPage />
                    <Route path=path!("/setup") view=SetupPage />
                    <Route path=path!("/denied") view=DeniedPage />
                </Routes>
            </Layout>
        </Router>
    }
}
