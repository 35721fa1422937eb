//! Flow 6, the HTTP side: grant management (FAQ 4.1-4.4) and the
//! organizations that authorized me (FAQ 7). Every endpoint but the role
//! catalogue needs an account session; who may administer which
//! organization, the subset rule, the dates, the versions and the audit
//! are `shared::grants`. The routes are `shared::grants::api::router()`,
//! which the authorization-matrix test walks. Route, parse, call, render.

use serde_json::json;
use shared::AppResult;
use shared::auth;
use shared::components::GRANTS;
use shared::context::Context;
use shared::grants::api::{GrantsRoute, router};
use shared::grants::manage::{ChangeForm, GrantForm, Grants, RevokeForm};
use shared::grants::search::{Search, search};
use shared::grants::{admin, mine, roles};
use shared::ids::{AccountId, GrantId};
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::web::{Params, Request, Response};
use shared::AppError;
use spin_sdk::http_service;

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &GRANTS, &router(), dispatch).await
}

fn organization(params: &Params) -> AppResult<AccountId> {
    AccountId::parse(&params["org"]).ok_or_else(AppError::not_found)
}

fn grant(params: &Params) -> AppResult<GrantId> {
    GrantId::parse(&params["grant"]).ok_or_else(AppError::not_found)
}

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: GrantsRoute, params: Params) -> AppResult<Response> {
    if let GrantsRoute::Roles = route {
        return Ok(Response::json(200, &json!({ "roles": roles::catalogue_json() })));
    }
    let (_, actor) = auth::current(&ctx.store, &*ctx.clock, req).await?;
    let grants = Grants { db: &ctx.store, clock: &*ctx.clock };
    let body = match route {
        GrantsRoute::Roles => unreachable!("answered above"),
        GrantsRoute::Administered => admin::administered(&ctx.store, &actor, ctx.clock.now()).await?,
        GrantsRoute::Organization => grants.organization(&actor, organization(&params)?).await?,
        GrantsRoute::Search => {
            let (real_name, login_name, client) = (req.query_param("real_name"), req.query_param("login_name"), req.client_ip());
            let q = Search { real_name: real_name.as_deref(), login_name: login_name.as_deref(), client: &client };
            search(&ctx.store, &*ctx.clock, &ctx.settings, &actor, organization(&params)?, &q).await?
        }
        GrantsRoute::Grant => {
            let form: GrantForm = req.json()?;
            return Ok(Response::json(201, &grants.grant(&actor, organization(&params)?, &form).await?));
        }
        GrantsRoute::Change => {
            let form: ChangeForm = req.json()?;
            grants.change(&actor, organization(&params)?, grant(&params)?, &form).await?
        }
        GrantsRoute::Revoke => {
            let form: RevokeForm = req.json()?;
            grants.revoke(&actor, organization(&params)?, grant(&params)?, &form).await?
        }
        GrantsRoute::Mine => mine::mine(&ctx.store, &*ctx.clock, &actor).await?,
    };
    Ok(Response::json(200, &body))
}
