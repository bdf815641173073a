//! The `system` area: the engine behind the About / System page — `repo` reads the database's facts, `port`
//! answers the page (a down database is part of the answer, not an error).

pub mod port;
pub mod repo;

pub use port::PgSystem;
