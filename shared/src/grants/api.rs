//! The grants component's routes (`functions/grants`), declared here so
//! the authorization-matrix test (`tests/integration/tests/api/grants.rs`)
//! walks the same table the component serves: a new endpoint cannot be
//! left out of it.

use crate::web::Router;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantsRoute {
    /// `GET /api/grants/roles`: the role catalogue.
    Roles,
    /// `GET /api/grants/organizations`: the organizations the session may
    /// administer, with the roles it holds in each.
    Administered,
    /// `GET /api/grants/organizations/{org}`: its grants (授权用户管理).
    Organization,
    /// `GET /api/grants/organizations/{org}/persons?real_name=`: the search
    /// (授权操作, FAQ 4.3).
    Search,
    /// `POST /api/grants/organizations/{org}/grants`: grant (FAQ 4.1).
    Grant,
    /// `PUT /api/grants/organizations/{org}/grants/{grant}`: change (FAQ 4.2).
    Change,
    /// `DELETE /api/grants/organizations/{org}/grants/{grant}`: revoke.
    Revoke,
    /// `GET /api/grants/mine`: the organizations that authorized me (FAQ 7).
    Mine,
}

pub fn router() -> Router<GrantsRoute> {
    Router::new()
        .route("GET", "/api/grants/roles", GrantsRoute::Roles)
        .route("GET", "/api/grants/organizations", GrantsRoute::Administered)
        .route("GET", "/api/grants/organizations/{org}", GrantsRoute::Organization)
        .route("GET", "/api/grants/organizations/{org}/persons", GrantsRoute::Search)
        .route("POST", "/api/grants/organizations/{org}/grants", GrantsRoute::Grant)
        .route("PUT", "/api/grants/organizations/{org}/grants/{grant}", GrantsRoute::Change)
        .route("DELETE", "/api/grants/organizations/{org}/grants/{grant}", GrantsRoute::Revoke)
        .route("GET", "/api/grants/mine", GrantsRoute::Mine)
}
