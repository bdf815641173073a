//! Monitoring's scheduler jobs: `check` runs one check (`monitoring.check`, one job per check, at its interval) and
//! `rollup` folds hours into days and applies retention (`monitoring.rollup`, hourly). Each is a step
//! `run_once(key, now)` registered in the scheduler's registry at start.

pub mod check;
pub mod rollup;
