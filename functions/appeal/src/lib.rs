//! Flow 4, the HTTP side: recovery appeals (FAQ 1(2), 2, 3.3, 3.4). SMS
//! codes for the new mobile, filing with scans (multipart), status by
//! number + mobile (the mobile in the `X-Appeal-Mobile` header, never the
//! URL), and the appellant's own documents while the appeal is open. Route,
//! parse, call `shared::appeal`, render.

use serde::Deserialize;
use serde_json::json;
use shared::AppResult;
use shared::appeal::{self, AppealFields, FILING_LIMIT, LOOKUP_LIMIT, SMS_CODE_LIMIT};
use shared::components::APPEAL;
use shared::context::Context;
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::upload;
use shared::web::{MultipartForm, Params, Request, Response, Router};
use spin_sdk::http_service;

#[derive(Debug, Clone, Copy)]
enum Route {
    SendCode,
    File,
    Status,
    Document,
}

fn router() -> Router<Route> {
    Router::new()
        .route("POST", "/api/appeals/sms-codes", Route::SendCode)
        .route("POST", "/api/appeals", Route::File)
        .route("GET", "/api/appeals/{number}", Route::Status)
        .route("GET", "/api/appeals/{number}/documents/{document_id}", Route::Document)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &APPEAL, &router(), dispatch).await
}

#[derive(Deserialize)]
struct SendCodeForm {
    mobile: String,
}

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, params: Params) -> AppResult<Response> {
    match route {
        Route::SendCode => {
            let form: SendCodeForm = req.json()?;
            let limit = SMS_CODE_LIMIT.limit(&ctx.settings);
            let (issued, mobile) =
                appeal::send_code(&ctx.store, &*ctx.clock, &*ctx.random, limit, &req.client_ip(), &form.mobile).await?;
            Ok(Response::json(202, &issued.to_json(&mobile)))
        }
        Route::File => {
            ctx.limit_client(&FILING_LIMIT, req).await?;
            let form = MultipartForm::from_request(req, upload::MAX_BODY_BYTES)?;
            let fields = AppealFields::from_form(&form)?;
            // The cheap checks first (fields, the account); decoding the scans last.
            let validated = appeal::validate(&ctx.store, &*ctx.clock, &fields).await?;
            let files = upload::validate_files(&form, appeal::documents_for(validated.kind()))?;
            let filed =
                appeal::file(&ctx.store, &*ctx.clock, &*ctx.random, &req.client_ip(), &validated, &fields.sms_code, files).await?;
            Ok(Response::json(201, &json!({ "number": filed.number, "status": "submitted", "due_at": filed.due_at.millis() })))
        }
        Route::Status => {
            let mobile = appeal::appellant_mobile(req)?;
            ctx.limit_client(&LOOKUP_LIMIT, req).await?;
            Ok(Response::json(200, &appeal::lookup(&ctx.store, &params["number"], mobile).await?))
        }
        Route::Document => {
            let mobile = appeal::appellant_mobile(req)?;
            ctx.limit_client(&LOOKUP_LIMIT, req).await?;
            let doc = appeal::appellant_document(&ctx.store, &params["number"], mobile, &params["document_id"]).await?;
            Ok(upload::download_response(&doc))
        }
    }
}
