//! The JSON API under /api/v1. Handlers are thin: extract, call a
//! service in `app::backend`, map the error (once, in `problem.rs`).

pub mod accounts;
pub mod apikeys;
pub mod campaigns;
pub mod city;
pub mod extract;
pub mod gifts;
pub mod ops;
pub mod points;
pub mod reports;
pub mod stats;
pub mod supervision;
pub mod system;
pub mod volunteer;

use app::backend::AppState;
use std::sync::LazyLock;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "啄木 Zhuomu API", description = "文明城市创建市民平台的 JSON API。错误均为 application/problem+json，带稳定的 code。"),
    components(schemas(crate::problem::Problem, app::domain::FieldError, app::domain::Role)),
    tags((name = "accounts"), (name = "points"), (name = "city"), (name = "reports"), (name = "moderation"), (name = "unit"), (name = "volunteer"), (name = "campaigns"), (name = "operations"), (name = "admin"), (name = "system")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        // Operation ids from the method and path (`get_api_v1_reports_id`):
        // handler names repeat across modules (`create`, `list`), ids may not.
        for (path, item) in openapi.paths.paths.iter_mut() {
            let slug: String = path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
                .split('_')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            for (method, op) in [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ] {
                if let Some(op) = op {
                    op.operation_id = Some(format!("{method}_{slug}"));
                    problems_as_problem_json(op);
                }
            }
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every error is sent as `application/problem+json` (`problem.rs`); the
/// document says so wherever a response's body is a `Problem`.
fn problems_as_problem_json(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;
    for response in op.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let is_problem = response.content.get("application/json").is_some_and(
            |c| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem")),
        );
        if is_problem && let Some(c) = response.content.shift_remove("application/json") {
            response
                .content
                .insert("application/problem+json".to_owned(), c);
        }
    }
}

/// Every route of the JSON API (and the probes), declared once: each
/// `routes!` entry names handlers whose `#[utoipa::path]` carries the path,
/// the method, the documentation and, through a `multipart/form-data`
/// request body, the larger upload limit (`body_limit`). The router and the
/// OpenAPI document are both made from this list.
fn declared() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(system::readyz))
        // accounts
        .routes(routes!(accounts::sms_code))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::privacy))
        .routes(routes!(accounts::sms_budget, accounts::set_sms_budget))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(
            accounts::me,
            accounts::update_me,
            accounts::erase_me
        ))
        .routes(routes!(accounts::export_me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::list_users))
        .routes(routes!(accounts::set_roles))
        .routes(routes!(accounts::disable_user))
        .routes(routes!(accounts::enable_user))
        // points
        .routes(routes!(points::summary))
        .routes(routes!(points::ledger))
        .routes(routes!(points::adjust))
        .routes(routes!(points::leaderboard))
        .routes(routes!(points::rules))
        .routes(routes!(points::set_rules))
        // gifts
        .routes(routes!(gifts::list))
        .routes(routes!(gifts::create))
        .routes(routes!(gifts::update))
        .routes(routes!(gifts::photo))
        .routes(routes!(gifts::redeem))
        .routes(routes!(gifts::mine))
        .routes(routes!(gifts::cancel))
        .routes(routes!(gifts::fulfil))
        .routes(routes!(gifts::by_code))
        .routes(routes!(gifts::scan))
        // campaigns
        .routes(routes!(campaigns::list))
        .routes(routes!(campaigns::get))
        .routes(routes!(campaigns::create))
        .routes(routes!(campaigns::update))
        .routes(routes!(campaigns::nominations, campaigns::nominate))
        .routes(routes!(campaigns::mine))
        .routes(routes!(campaigns::my_votes))
        .routes(routes!(campaigns::results))
        .routes(routes!(campaigns::nomination))
        .routes(routes!(campaigns::queue))
        .routes(routes!(campaigns::review))
        .routes(routes!(campaigns::vote))
        .routes(routes!(campaigns::winner))
        .routes(routes!(campaigns::honors))
        // operations and admin
        .routes(routes!(ops::public, ops::create))
        .routes(routes!(ops::mine))
        .routes(routes!(ops::inbox))
        .routes(routes!(ops::answer))
        .routes(routes!(ops::audit_log))
        .routes(routes!(apikeys::list, apikeys::create))
        .routes(routes!(apikeys::revoke))
        .routes(routes!(stats::overview))
        .routes(routes!(stats::detail))
        .routes(routes!(stats::units))
        // city
        .routes(routes!(city::categories))
        .routes(routes!(city::create_category))
        .routes(routes!(city::update_category))
        .routes(routes!(city::units))
        .routes(routes!(city::create_unit))
        .routes(routes!(city::portal))
        .routes(routes!(city::set_portal))
        .routes(routes!(city::areas))
        .routes(routes!(city::place_at))
        .routes(routes!(city::create_area))
        // reports
        .routes(routes!(reports::list, reports::create))
        .routes(routes!(reports::nearby))
        .routes(routes!(reports::hot))
        .routes(routes!(reports::get))
        .routes(routes!(reports::follow, reports::unfollow))
        .routes(routes!(reports::review))
        .routes(routes!(reports::merge))
        .routes(routes!(reports::rectify))
        .routes(routes!(reports::verify))
        .routes(routes!(reports::feedback))
        .routes(routes!(supervision::send_back))
        .routes(routes!(supervision::reassign))
        .routes(routes!(supervision::urge))
        .routes(routes!(supervision::seen))
        .routes(routes!(reports::redact))
        .routes(routes!(reports::mine))
        .routes(routes!(reports::notifications))
        .routes(routes!(reports::read_notifications))
        .routes(routes!(reports::moderation_queue))
        .routes(routes!(reports::unit_tasks))
        // volunteer
        .routes(routes!(volunteer::posts))
        .routes(routes!(volunteer::post))
        .routes(routes!(volunteer::my_hours))
        .routes(routes!(volunteer::shift_attendance))
        .routes(routes!(volunteer::suspensions))
        .routes(routes!(volunteer::create_post))
        .routes(routes!(volunteer::create_shift))
        .routes(routes!(volunteer::schedule))
        .routes(routes!(volunteer::shifts))
        .routes(routes!(volunteer::signup, volunteer::cancel))
        .routes(routes!(volunteer::my_shifts))
        .routes(routes!(volunteer::stars))
        .routes(routes!(volunteer::calendar_link))
        .routes(routes!(volunteer::checkin))
        .routes(routes!(volunteer::checkout))
        .routes(routes!(volunteer::attendance))
        .routes(routes!(volunteer::lift_suspension))
}

/// The OpenAPI document, served at `/api/v1/openapi.json`.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
        let (_, mut doc) = declared().split_for_parts();
        BearerAuth.modify(&mut doc);
        doc
    });
    &DOC
}

/// The routes that take uploads: every POST whose documented request body
/// may be `multipart/form-data`.
fn uploads() -> &'static matchit::Router<()> {
    static UPLOADS: LazyLock<matchit::Router<()>> = LazyLock::new(|| {
        let mut uploads = matchit::Router::new();
        for (path, item) in &document().paths.paths {
            let multipart = item
                .post
                .as_ref()
                .and_then(|op| op.request_body.as_ref())
                .is_some_and(|body| body.content.contains_key("multipart/form-data"));
            if multipart {
                uploads
                    .insert(path.as_str(), ())
                    .expect("upload paths do not overlap");
            }
        }
        uploads
    });
    &UPLOADS
}

/// The body limit of a request: uploads may be large, nothing else.
pub fn body_limit(method: &axum::http::Method, path: &str) -> usize {
    if method == axum::http::Method::POST && uploads().at(path).is_ok() {
        crate::UPLOAD_LIMIT
    } else {
        crate::BODY_LIMIT
    }
}

async fn openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}

/// The declared routes, with full paths (`/api/v1/…`, `/healthz`), and
/// the document itself. Unknown /api paths are answered by the caller's
/// `/api/{*rest}` route.
pub fn routes() -> Router<AppState> {
    let (router, _) = declared().split_for_parts();
    router
        .route("/api/v1/openapi.json", get(openapi))
        .method_not_allowed_fallback(system::method_not_allowed)
}
