//! HTTP beyond the pages: the middleware every request passes, the request size limits, and the
//! handlers that serve files or take uploads and the bank's notifications.

pub mod documents;
pub mod files;
pub mod hooks;
pub mod limits;
pub mod middleware;
pub mod tickets;
