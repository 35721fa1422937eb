//! Per-request store state.

use std::sync::Arc;
use wasmtime::component::{HasData, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::WasiHttpCtx;
use wasmtime_wasi_http::p3::{WasiHttpCtxView, WasiHttpView};

use crate::metrics::MemoryRecorder;
use crate::outbound::OutboundHooks;
use crate::runtime::ComponentConfig;

/// The data of one `Store`: one per instance, dropped with it.
pub struct StoreState {
    /// SQLite connections the instance has open (Spin allows 256).
    pub(crate) sqlite_connections: usize,
    pub(crate) wasi: WasiCtx,
    pub(crate) http: WasiHttpCtx,
    pub(crate) table: ResourceTable,
    pub(crate) outbound: OutboundHooks,
    pub(crate) component: Arc<ComponentConfig>,
    /// Records the instance's largest linear memory (limits nothing).
    pub(crate) memory: MemoryRecorder,
}

/// Marker type through which the Spin interfaces see a [`StoreState`].
pub struct SpinHost;

impl HasData for SpinHost {
    type Data<'a> = &'a mut StoreState;
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for StoreState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}
