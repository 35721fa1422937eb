//! What a handler gets besides the request: the store, the clock, the
//! random source and the component's settings (Spin variables).

use crate::clock::Clock;
use crate::random::Random;
use crate::settings::Settings;

pub struct Context<S> {
    pub store: S,
    pub clock: Box<dyn Clock>,
    pub random: Box<dyn Random>,
    pub settings: Settings,
}

impl<D: crate::store::Database> Context<D> {
    /// Counts this request against a per-client limit (the client address
    /// as the host reports it); over the limit: 429 with `Retry-After`.
    pub async fn limit_client(&self, limit: &crate::settings::ClientLimit, req: &crate::web::Request) -> crate::AppResult<()> {
        crate::rate_limit::hit(&self.store, &*self.clock, limit.limit(&self.settings), &req.client_ip()).await
    }
}
