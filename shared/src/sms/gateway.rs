//! Delivering outbox messages to the SMS gateway: one rule for the request
//! that queued a message (after its commit, `shared::spin::serve`) and for
//! the scheduled retries (`crate::schedule`). Each message is claimed first
//! ([`super::outbox::claim`]), so whoever else tries it at the same time
//! skips it: a message is sent at most once per claim, and a sent one never
//! again.

use super::outbox::{self, OutboxMessage};
use crate::clock::Clock;
use crate::store::Store;
use serde_json::{Value, json};

/// Where messages go: the configured HTTP gateway on Spin
/// (`shared::spin`), a recording fake in tests. `Err` carries what went
/// wrong (kept as the message's last error).
#[allow(async_fn_in_trait)]
pub trait Gateway {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String>;
}

/// What the gateway receives (JSON): `{id, to, template, params, text}`,
/// `to` in E.164 form.
pub fn payload(m: &OutboxMessage) -> Value {
    let to = crate::identity::Mobile::parse(&m.recipient).map(|x| x.e164()).unwrap_or_else(|_| m.recipient.clone());
    json!({
        "id": m.id,
        "to": to,
        "template": m.template,
        "params": m.params,
        "text": m.text(),
    })
}

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: u64,
    pub failed: u64,
    /// Claimed by someone else meanwhile, sent already, or its code expired.
    pub skipped: u64,
}

/// Tries each message of `ids` once: claims it, sends it, marks it sent or
/// failed (with backoff). Store errors while marking are logged with
/// `log_prefix` and counted as failures (the claim lapses, the message is
/// tried again later).
pub async fn deliver<S: Store>(store: &S, clock: &dyn Clock, gateway: &impl Gateway, ids: &[i64], log_prefix: &str) -> Delivered {
    let mut done = Delivered::default();
    for &id in ids {
        let message = match outbox::claim(store, clock.now(), id).await {
            Ok(Some(m)) => m,
            Ok(None) => {
                done.skipped += 1;
                continue;
            }
            Err(e) => {
                eprintln!("[{log_prefix}] sms: cannot claim message {id}: {e}");
                done.failed += 1;
                continue;
            }
        };
        let outcome = gateway.send(&message).await;
        let marked = match &outcome {
            Ok(()) => outbox::mark_sent(store, clock, id).await,
            Err(e) => {
                eprintln!("[{log_prefix}] sms: message {id} not delivered: {e}");
                outbox::mark_failed(store, clock, id, e).await
            }
        };
        match (outcome, marked) {
            (Ok(()), Ok(())) => done.sent += 1,
            (_, Err(e)) => {
                eprintln!("[{log_prefix}] sms: cannot record delivery of message {id}: {e}");
                done.failed += 1;
            }
            (Err(_), Ok(())) => done.failed += 1,
        }
    }
    done
}
