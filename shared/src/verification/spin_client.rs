//! The identity service over outbound HTTP from a component (Spin's
//! `wasi:http` client; the host must be in the component's
//! `allowed_outbound_hosts`, templated from `identity_service_origin`).
//! One POST per check with the bearer token, the whole exchange within
//! [`CHECK_TIMEOUT_MS`], the answer read up to [`MAX_ANSWER_BYTES`]; the
//! meaning of the answer is decided by `identity_service::verdict`, which
//! native tests cover with scripted services.

use super::identity_service::{CHECK_TIMEOUT_MS, CheckRequest, IdentityService, MAX_ANSWER_BYTES, ServiceAnswer, ServiceFailure};
use crate::settings::{self, Settings};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

/// The configured identity service.
pub struct SpinIdentityService {
    url: String,
    token: String,
}

impl SpinIdentityService {
    /// The service of the settings; `None` when `identity_service_url` is
    /// empty (then the built-in checker is used).
    pub fn from_settings(settings: &Settings) -> Option<SpinIdentityService> {
        let url = settings.text(&settings::IDENTITY_SERVICE_URL)?.trim().to_owned();
        let token = settings.text(&settings::IDENTITY_SERVICE_TOKEN).unwrap_or("").to_owned();
        Some(SpinIdentityService { url, token })
    }

    async fn send(&self, request: &CheckRequest) -> Result<ServiceAnswer, ServiceFailure> {
        let unreachable = |e: String| ServiceFailure::Unreachable(e);
        let outbound = spin_sdk::http::Request::post(self.url.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {}", self.token))
            .body(Full::new(Bytes::from(request.body().to_string())))
            .map_err(|e| unreachable(format!("bad request: {e}")))?;
        let response = spin_sdk::http::send(outbound).await.map_err(|e| unreachable(format!("{e:?}")))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| unreachable(format!("answer not read: {e}")))?
            .to_bytes()
            .to_vec();
        Ok(ServiceAnswer { status, body })
    }
}

impl IdentityService for SpinIdentityService {
    async fn check(&self, request: &CheckRequest) -> Result<ServiceAnswer, ServiceFailure> {
        within(CHECK_TIMEOUT_MS, self.send(request)).await.unwrap_or(Err(ServiceFailure::Timeout))
    }
}

/// `work`'s output, or `None` when `ms` milliseconds pass first (the work
/// is then dropped, which cancels the request).
async fn within<F: Future>(ms: u64, work: F) -> Option<F::Output> {
    let mut work = pin!(work);
    let mut timer = pin!(spin_sdk::time::sleep(Duration::from_millis(ms)));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
