//! Passes (docs/domain.md «Passes and plates»): guests' and contractors' passes with a QR code, the
//! residents' own cars, taxis and couriers, the house's limits per flat, the guard's post and the
//! barrier cameras that read plates. So far: the resident's passes and the guest's link, the guard's post (a check by QR link, code or plate, entries recorded once); cameras, the dispatcher's log and exceptions, offline and the retention job come next.

pub mod rules;
pub mod types;
