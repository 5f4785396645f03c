//! Adapters to the outside world: the acquiring bank (T-Bank API v2, and the embedded sandbox
//! bank that speaks the same protocol), file storage (a folder or S3), e-mail (SMTP), SMS
//! (SMS.ru) and Web Push.

pub mod acquiring;
pub mod email;
pub mod push;
pub mod sandbox_bank;
pub mod sms;
pub mod storage;
