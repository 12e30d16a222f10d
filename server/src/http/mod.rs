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
pub mod system;
pub mod volunteer;

use app::backend::AppState;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "啄木 Zhuomu API", description = "文明城市创建市民平台的 JSON API。错误均为 application/problem+json，带稳定的 code。"),
    paths(
        system::healthz, system::readyz,
        accounts::register, accounts::login, accounts::logout, accounts::me, accounts::set_roles, accounts::list_users, accounts::disable_user, accounts::enable_user,
        points::summary, points::ledger, points::adjust, points::leaderboard, points::rules, points::set_rules,
        gifts::list, gifts::create, gifts::update, gifts::redeem, gifts::mine, gifts::cancel, gifts::fulfil, gifts::by_code, gifts::scan, gifts::photo,
        city::categories, city::create_category, city::update_category, city::units, city::create_unit, city::areas, city::create_area,
        reports::create, reports::list, reports::get, reports::nearby, reports::hot, reports::follow, reports::unfollow,
        reports::mine, reports::moderation_queue, reports::review, reports::merge, reports::unit_tasks,
        reports::rectify, reports::verify, reports::feedback, reports::redact,
        reports::notifications, reports::read_notifications,
        volunteer::posts, volunteer::create_post, volunteer::create_shift, volunteer::schedule,
        volunteer::shifts, volunteer::signup, volunteer::cancel, volunteer::my_shifts,
        volunteer::checkin, volunteer::checkout, volunteer::attendance, volunteer::lift_suspension, volunteer::stars, volunteer::calendar_link,
        volunteer::post, volunteer::my_hours, volunteer::shift_attendance, volunteer::suspensions,
        campaigns::list, campaigns::get, campaigns::create, campaigns::update, campaigns::nominate,
        campaigns::nominations, campaigns::nomination, campaigns::mine, campaigns::my_votes, campaigns::queue,
        campaigns::review, campaigns::vote, campaigns::results, campaigns::winner, campaigns::honors,
        ops::create, ops::public, ops::mine, ops::inbox, ops::answer, ops::audit_log,
        stats::overview, stats::detail, stats::units,
        apikeys::list, apikeys::create, apikeys::revoke,
    ),
    components(schemas(crate::problem::Problem, app::domain::FieldError, app::domain::Role)),
    modifiers(&BearerAuth),
    tags((name = "accounts"), (name = "points"), (name = "city"), (name = "reports"), (name = "moderation"), (name = "unit"), (name = "volunteer"), (name = "campaigns"), (name = "operations"), (name = "admin"), (name = "system")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
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

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/register", post(accounts::register))
        .route("/auth/login", post(accounts::login))
        .route("/auth/logout", post(accounts::logout))
        .route("/me", get(accounts::me))
        .route("/admin/users", get(accounts::list_users))
        .route("/admin/users/{id}/roles", post(accounts::set_roles))
        .route("/admin/users/{id}/disable", post(accounts::disable_user))
        .route("/admin/users/{id}/enable", post(accounts::enable_user))
        .route("/me/points", get(points::summary))
        .route("/me/points/ledger", get(points::ledger))
        .route("/admin/points/adjust", post(points::adjust))
        .route("/leaderboard", get(points::leaderboard))
        .route("/points/rules", get(points::rules))
        .route("/admin/points/rules", post(points::set_rules))
        .route("/gifts", get(gifts::list))
        .route("/admin/gifts", post(gifts::create))
        .route("/admin/gifts/{id}", axum::routing::patch(gifts::update))
        .route(
            "/admin/gifts/{id}/photo",
            post(gifts::photo).layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/gifts/{id}/redeem", post(gifts::redeem))
        .route("/me/redemptions", get(gifts::mine))
        .route("/redemptions/{id}/cancel", post(gifts::cancel))
        .route("/redemptions/fulfil", post(gifts::fulfil))
        .route("/redemptions/by-code", get(gifts::by_code))
        .route(
            "/redemptions/scan",
            post(gifts::scan).layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/campaigns", get(campaigns::list))
        .route("/campaigns/{id}", get(campaigns::get))
        .route("/admin/campaigns", post(campaigns::create))
        .route(
            "/admin/campaigns/{id}",
            axum::routing::patch(campaigns::update),
        )
        .route(
            "/campaigns/{id}/nominations",
            get(campaigns::nominations)
                .merge(post(campaigns::nominate).layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT))),
        )
        .route("/campaigns/{id}/my-nominations", get(campaigns::mine))
        .route("/campaigns/{id}/my-votes", get(campaigns::my_votes))
        .route("/campaigns/{id}/results", get(campaigns::results))
        .route("/nominations/{id}", get(campaigns::nomination))
        .route("/moderation/nominations", get(campaigns::queue))
        .route("/nominations/{id}/review", post(campaigns::review))
        .route("/nominations/{id}/vote", post(campaigns::vote))
        .route("/admin/nominations/{id}/winner", post(campaigns::winner))
        .route("/honors", get(campaigns::honors))
        .route("/suggestions", get(ops::public).post(ops::create))
        .route("/me/suggestions", get(ops::mine))
        .route("/moderation/suggestions", get(ops::inbox))
        .route("/suggestions/{id}/answer", post(ops::answer))
        .route("/admin/audit", get(ops::audit_log))
        .route("/admin/apikeys", get(apikeys::list).post(apikeys::create))
        .route("/admin/apikeys/{id}/revoke", post(apikeys::revoke))
        .route("/stats/overview", get(stats::overview))
        .route("/stats/detail", get(stats::detail))
        .route("/stats/units", get(stats::units))
        .route("/categories", get(city::categories))
        .route("/admin/categories", post(city::create_category))
        .route(
            "/admin/categories/{id}",
            axum::routing::put(city::update_category),
        )
        .route("/units", get(city::units))
        .route("/admin/units", post(city::create_unit))
        .route("/areas", get(city::areas))
        .route("/admin/areas", post(city::create_area))
        .route(
            "/reports",
            get(reports::list)
                .merge(post(reports::create).layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT))),
        )
        .route("/reports/nearby", get(reports::nearby))
        .route("/reports/hot", get(reports::hot))
        .route("/reports/{id}", get(reports::get))
        .route(
            "/reports/{id}/follow",
            post(reports::follow).delete(reports::unfollow),
        )
        .route("/reports/{id}/review", post(reports::review))
        .route("/reports/{id}/merge", post(reports::merge))
        .route(
            "/reports/{id}/rectify",
            post(reports::rectify).layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/reports/{id}/verify", post(reports::verify))
        .route("/reports/{id}/feedback", post(reports::feedback))
        .route(
            "/reports/{id}/photos/{photo_id}/redact",
            post(reports::redact),
        )
        .route("/me/reports", get(reports::mine))
        .route("/me/notifications", get(reports::notifications))
        .route("/me/notifications/read", post(reports::read_notifications))
        .route("/moderation/reports", get(reports::moderation_queue))
        .route("/unit/reports", get(reports::unit_tasks))
        .route("/posts", get(volunteer::posts))
        .route("/posts/{id}", get(volunteer::post))
        .route("/me/volunteer", get(volunteer::my_hours))
        .route(
            "/admin/shifts/{id}/attendance",
            get(volunteer::shift_attendance),
        )
        .route("/admin/volunteer-suspensions", get(volunteer::suspensions))
        .route("/admin/posts", post(volunteer::create_post))
        .route("/admin/shifts", post(volunteer::create_shift))
        .route("/admin/posts/{id}/schedule", post(volunteer::schedule))
        .route("/shifts", get(volunteer::shifts))
        .route(
            "/shifts/{id}/signup",
            post(volunteer::signup).delete(volunteer::cancel),
        )
        .route("/me/shifts", get(volunteer::my_shifts))
        .route("/volunteer/stars", get(volunteer::stars))
        .route("/me/calendar", post(volunteer::calendar_link))
        .route("/shifts/{id}/checkin", post(volunteer::checkin))
        .route("/shifts/{id}/checkout", post(volunteer::checkout))
        .route(
            "/admin/signups/{id}/attendance",
            post(volunteer::attendance),
        )
        .route(
            "/admin/users/{id}/volunteer-suspension",
            axum::routing::delete(volunteer::lift_suspension),
        )
        .fallback(system::api_not_found)
        .method_not_allowed_fallback(system::method_not_allowed)
}
