//! The API's "好人 campaigns". Thin: read, call `app::backend::campaigns`, map
//! the error.

use app::backend::AppState;
use app::backend::campaigns::{self, CampaignInput, NominationInput, ReviewInput};
use app::error::AppError;
use app::models::{Campaign, MyVotes, Nomination, RankedNomination, VoteResult};
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::extract::{
    ApiJson, ApiQuery, Caller, ClientAddr, Id, MaybeCaller, UploadForm, wants_html,
};
use crate::problem::{ApiResult, Problem};

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, body = Vec<Campaign>)))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<Campaign>>> {
    Ok(Json(campaigns::list(&state).await?))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, Id(id): Id) -> ApiResult<Json<Campaign>> {
    Ok(Json(campaigns::get(&state, id).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/campaigns", tag = "admin", security(("bearer" = [])),
    request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    Ok((
        StatusCode::CREATED,
        Json(campaigns::create(&state, app::backend::auth::Actor::Person(&actor), input).await?),
    ))
}

/// Admin: change the title, windows or limits (fields left out stay).
#[utoipa::path(patch, path = "/api/v1/admin/campaigns/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CampaignInput,
    responses((status = 200, body = Campaign), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(campaigns::update(&state, &actor, id, input).await?))
}

/// The multipart form of a nomination with a photo.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NominationUpload {
    nominee_name: String,
    category: String,
    story: String,
    /// Optional: one JPEG, PNG or WebP file, ≤ 10 MB (EXIF removed).
    #[schema(value_type = Option<String>, format = Binary)]
    photo: Option<Vec<u8>>,
}

/// A citizen nominates someone, as JSON or as a multipart form with an
/// optional `photo`. A browser form (no script) is sent on to the campaign
/// page (303).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/nominations", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content((NominationInput = "application/json"), (NominationUpload = "multipart/form-data"))),
    responses((status = 201, body = Nomination), (status = 303, description = "a browser form: on to the campaign"),
        (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`nomination_closed`, `duplicate_nomination`"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn nominate(
    State(state): State<AppState>,
    MaybeCaller(actor): MaybeCaller,
    Id(id): Id,
    headers: HeaderMap,
    req: Request,
) -> ApiResult<Response> {
    let browser = wants_html(&headers);
    let Some(actor) = actor else {
        if browser {
            let login = format!("/login?next=/campaigns/{id}/nominate");
            return Ok(Redirect::to(&login).into_response());
        }
        return Err(AppError::Unauthenticated.into());
    };
    let is_form = headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"multipart/"));
    let result = async {
        let (input, photo) = if is_form {
            let multipart = Multipart::from_request(req, &state).await;
            let mut form = UploadForm::read(multipart, &["photo"])
                .await
                .map_err(|e| e.0)?;
            let mut text = |k: &str| form.text.remove(k).unwrap_or_default();
            let input = NominationInput {
                nominee_name: text("nominee_name"),
                category: text("category"),
                story: text("story"),
            };
            (input, form.take_files("photo").into_iter().next())
        } else {
            let ApiJson(input) = ApiJson::<NominationInput>::from_request(req, &state)
                .await
                .map_err(|e| e.0)?;
            (input, None)
        };
        campaigns::nominate(&state, &actor, id, input, photo).await
    }
    .await;
    match result {
        Ok(n) if browser => {
            Ok(Redirect::to(&format!("/campaigns/{id}?nominated={}", n.id)).into_response())
        }
        Ok(n) => Ok((StatusCode::CREATED, Json(n)).into_response()),
        // A browser form (no script) goes back to the form, which says what
        // to fix; the fields in error by name.
        Err(e) if browser && e.status() != 404 => {
            let fields = match &e {
                AppError::Invalid(list) => list
                    .iter()
                    .map(|f| f.field.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                _ => String::new(),
            };
            let back = format!(
                "/campaigns/{id}/nominate?error={}&fields={fields}",
                e.code()
            );
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// One of the five categories; all when left out.
    pub category: Option<String>,
}

/// The approved nominations with their votes, most votes first.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/nominations", tag = "campaigns",
    params(("id" = i64, Path), CategoryQuery),
    responses((status = 200, body = Vec<Nomination>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn nominations(
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(q): ApiQuery<CategoryQuery>,
) -> ApiResult<Json<Vec<Nomination>>> {
    Ok(Json(
        campaigns::nominations(&state, id, q.category.as_deref()).await?,
    ))
}

/// One nomination (the share link's data): public once approved.
#[utoipa::path(get, path = "/api/v1/nominations/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Nomination), (status = 404, body = Problem)))]
pub async fn nomination(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    Id(id): Id,
) -> ApiResult<Json<Nomination>> {
    Ok(Json(
        campaigns::nomination(&state, viewer.as_ref(), id).await?,
    ))
}

/// What I nominated in a campaign, with the review.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/my-nominations", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Nomination>), (status = 401, body = Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<Nomination>>> {
    Ok(Json(campaigns::mine(&state, &actor, id).await?))
}

/// My votes in a campaign today: left, given, or why I may not vote yet.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/my-votes", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = MyVotes), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn my_votes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<MyVotes>> {
    Ok(Json(campaigns::my_votes(&state, &actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/moderation/nominations", tag = "moderation", security(("bearer" = [])),
    responses((status = 200, body = Vec<Nomination>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<Nomination>>> {
    Ok(Json(campaigns::queue(&state, &actor).await?))
}

#[utoipa::path(post, path = "/api/v1/nominations/{id}/review", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = Nomination), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`invalid_transition`"),
        (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<Nomination>> {
    Ok(Json(campaigns::review(&state, &actor, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/nominations/{id}/vote", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = VoteResult), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`account_too_new`"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`voting_closed`, `already_voted_today`, `daily_vote_limit`"),
        (status = 429, body = Problem)))]
pub async fn vote(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ClientAddr(ip): ClientAddr,
) -> ApiResult<(StatusCode, Json<VoteResult>)> {
    Ok((
        StatusCode::CREATED,
        Json(campaigns::vote(&state, &actor, id, ip).await?),
    ))
}

/// Approved nominations ranked by votes (equal votes share a rank); final
/// once the campaign's `phase` is `ended`.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/results", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RankedNomination>), (status = 404, body = Problem)))]
pub async fn results(
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Vec<RankedNomination>>> {
    Ok(Json(campaigns::results(&state, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WinnerInput {
    pub winner: bool,
}

/// Admin, after voting: mark a nomination as a winner (on the 红榜) or not.
#[utoipa::path(post, path = "/api/v1/admin/nominations/{id}/winner", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = WinnerInput,
    responses((status = 200, body = Nomination), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`voting_not_ended`, `invalid_transition`"),
        (status = 422, body = Problem)))]
pub async fn winner(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<WinnerInput>,
) -> ApiResult<Json<Nomination>> {
    Ok(Json(
        campaigns::set_winner(&state, &actor, id, input.winner).await?,
    ))
}

/// A campaign on the 红榜 with its winners.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Honors {
    pub campaign: Campaign,
    pub winners: Vec<Nomination>,
}

/// The 红榜: winners of every campaign, most recent first.
#[utoipa::path(get, path = "/api/v1/honors", tag = "campaigns", responses((status = 200, body = Vec<Honors>)))]
pub async fn honors(State(state): State<AppState>) -> ApiResult<Json<Vec<Honors>>> {
    Ok(Json(
        campaigns::honors(&state)
            .await?
            .into_iter()
            .map(|(campaign, winners)| Honors { campaign, winners })
            .collect(),
    ))
}
