//! Adapters to the outside world: the acquiring bank (T-Bank API v2, and the embedded sandbox
//! bank that speaks the same protocol), file storage (a folder or S3), e-mail (SMTP), SMS
//! (SMS.ru), Web Push, and the demo's stand-in gate (a barrier relay and a camera picture).

pub mod acquiring;
pub mod email;
pub mod push;
pub mod sandbox_bank;
pub mod sms;
pub mod standin_gate;
pub mod storage;
