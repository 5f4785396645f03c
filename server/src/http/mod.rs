//! HTTP beyond the pages: the middleware every request passes, the request size limits, and the
//! handlers that serve files or take uploads, the bank's notifications and the gates' cameras.

pub mod documents;
pub mod files;
pub mod gates;
pub mod hooks;
pub mod limits;
pub mod middleware;
pub mod tickets;
