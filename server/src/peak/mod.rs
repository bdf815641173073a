//! The `peak` area: do peak loads trigger Auth0's rate limits or other errors? It reads the per-minute roll-ups
//! the logs area keeps at ingest (`logs::repo::minutes`) — never the raw events for a chart — and the limit events
//! themselves only to say what a limit fired on.
//!
//! Files: `report` (the report of a range, assembled by a pure function) · `repo` (the area's SQL: tenants, the
//! spike watch's state) · `spikes` (`peak.spikes`: "login failures spiking" notices) · `port` (the pages'
//! `PeakPort`) · `tile` (the board's rate-limit tile and checklist step 5) · `export` (the per-minute CSV).
//! Rate limits and deprecations become notices at ingest, in the logs area (`logs::limits`).

pub mod export;
pub mod port;
pub mod repo;
pub mod report;
pub mod spikes;
pub mod tile;

/// When sign-in failures count as spiking: at least `floor` per minute over the last minutes, and at least
/// `factor` times the tenant's usual rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakOptions {
    pub spike_factor: f64,
    pub spike_floor: f64,
}

impl Default for PeakOptions {
    fn default() -> Self {
        PeakOptions { spike_factor: 5.0, spike_floor: 20.0 }
    }
}
