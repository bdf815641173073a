//! The `notifications` area: one history of every notice. `collect` turns what other areas record (status
//! incident updates, monitoring alert events, custom-domain outcome changes) into notifications with timelines;
//! `port` lists, shows and acknowledges them. Delivery channels and the outbox come next.

pub mod collect;
pub mod port;
