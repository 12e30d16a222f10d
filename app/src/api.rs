//! Server functions used by the web app's own pages and forms. Each one is
//! thin: find the caller, call a service in `backend`, map the outcome. They
//! are public endpoints like any other, so each authorizes for itself.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{CityOverview, LedgerEntry, Page, PointsSummary, User};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::backend::{AppState, auth};
    use crate::error::AppError;
    use http::request::Parts;
    use http::{HeaderValue, StatusCode, header};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or(AppError::Internal)
    }

    pub fn parts() -> Result<Parts, AppError> {
        use_context::<Parts>().ok_or(AppError::Internal)
    }

    pub async fn current_user() -> Result<Option<auth::CurrentUser>, AppError> {
        auth::current_user(&state()?, &parts()?.headers).await
    }

    pub async fn require_user() -> Result<auth::CurrentUser, AppError> {
        auth::require_user(&state()?, &parts()?.headers).await
    }

    /// Gives a failed call from JavaScript its real status. A plain form post
    /// (no JavaScript) keeps the redirect back to its page, which shows the
    /// error from the URL.
    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            let plain_form = parts().ok().is_some_and(|p| {
                p.headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
            });
            if !plain_form
                && let (Some(opts), Ok(status)) = (
                    use_context::<ResponseOptions>(),
                    StatusCode::from_u16(e.status()),
                )
            {
                opts.set_status(status);
            }
        }
        result
    }

    pub fn set_cookie(value: String) {
        if let (Some(opts), Ok(v)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(&value),
        ) {
            opts.append_header(header::SET_COOKIE, v);
        }
    }

    pub fn https() -> bool {
        match (state(), parts()) {
            (Ok(s), Ok(p)) => auth::is_https(&s.config, &p.headers),
            _ => false,
        }
    }
}

/// Creates an account, signs in with a cookie and goes to 我的.
#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    phone: String,
    password: String,
    display_name: String,
) -> Result<User, AppError> {
    use crate::backend::{auth, users};
    ssr::finish(
        async {
            let state = ssr::state()?;
            let login = users::register(
                &state,
                users::RegisterInput {
                    phone,
                    password,
                    display_name,
                },
            )
            .await?;
            ssr::set_cookie(auth::session_cookie_header(
                &login.token,
                login.max_age_secs,
                ssr::https(),
            ));
            leptos_axum::redirect("/me");
            Ok(login.user)
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(
    phone: String,
    password: String,
    next: Option<String>,
) -> Result<User, AppError> {
    use crate::backend::{auth, users};
    ssr::finish(
        async {
            let state = ssr::state()?;
            let login = users::login(&state, users::LoginInput { phone, password }).await?;
            ssr::set_cookie(auth::session_cookie_header(
                &login.token,
                login.max_age_secs,
                ssr::https(),
            ));
            // Only a path on this site: never an open redirect.
            let next = next
                .as_deref()
                .and_then(crate::domain::local_path)
                .unwrap_or("/me");
            leptos_axum::redirect(next);
            Ok(login.user)
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::{auth, users};
    ssr::finish(
        async {
            let state = ssr::state()?;
            if let Some(user) = ssr::current_user().await? {
                users::logout(&state, &user).await?;
            }
            ssr::set_cookie(auth::clear_session_cookie_header(ssr::https()));
            if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                opts.insert_header(
                    http::HeaderName::from_static("clear-site-data"),
                    http::HeaderValue::from_static(auth::CLEAR_SITE_DATA),
                );
            }
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// The signed-in person, or `None`.
#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn get_me() -> Result<Option<User>, AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            match ssr::current_user().await? {
                Some(u) => Ok(Some(users::me(&ssr::state()?, &u).await?)),
                None => Ok(None),
            }
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<CityOverview, AppError> {
    ssr::finish(crate::backend::city::overview(&ssr::state()?).await)
}

/// The caller's points summary and newest ledger entries, or `None` when
/// nobody is signed in.
#[server(prefix = "/api/fn", endpoint = "my_points")]
pub async fn get_my_points() -> Result<Option<(PointsSummary, Page<LedgerEntry>)>, AppError> {
    use crate::backend::points;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let Some(user) = ssr::current_user().await? else {
                return Ok(None);
            };
            let state = ssr::state()?;
            let summary = points::summary(&state, user.id).await?;
            let ledger = points::ledger(
                &state,
                user.id,
                Paging {
                    page: 1,
                    per_page: 50,
                },
            )
            .await?;
            Ok(Some((summary, ledger)))
        }
        .await,
    )
}

/// Turns large-font mode (适老化) on or off; kept in a cookie for a year so
/// it holds before login and without JavaScript.
#[server(prefix = "/api/fn", endpoint = "font")]
pub async fn set_font(large: bool) -> Result<(), AppError> {
    let value = if large { "large" } else { "normal" };
    let secure = if ssr::https() { "; Secure" } else { "" };
    ssr::set_cookie(format!(
        "{FONT_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax{secure}"
    ));
    Ok(())
}

pub const FONT_COOKIE: &str = "zhuomu_font";

/// Admin: list people (optionally one phone number).
#[server(prefix = "/api/fn", endpoint = "admin_users")]
pub async fn admin_users(
    q: Option<String>,
    role: Option<String>,
    disabled: Option<bool>,
) -> Result<Page<User>, AppError> {
    use crate::backend::users;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let filter = users::UserFilter { q, role, disabled };
            users::list(
                &ssr::state()?,
                &actor,
                &filter,
                Paging {
                    page: 1,
                    per_page: 50,
                },
            )
            .await
        }
        .await,
    )
}

/// The user list's address with its filter kept, after a change to `saved`.
#[cfg(feature = "ssr")]
fn users_back(q: Option<String>, saved: i64) -> String {
    let q = q.unwrap_or_default();
    let q: String = form_urlencoded::byte_serialize(q.trim().as_bytes()).collect();
    format!("/admin/users?q={q}&saved={saved}")
}

/// Admin: disable an account from the web console, with a reason.
#[server(prefix = "/api/fn", endpoint = "admin_disable_user")]
pub async fn admin_disable_user(
    user_id: i64,
    reason: String,
    q: Option<String>,
) -> Result<User, AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let user = users::disable(
                &ssr::state()?,
                &actor,
                user_id,
                users::DisableInput { reason },
            )
            .await?;
            leptos_axum::redirect(&users_back(q, user.id));
            Ok(user)
        }
        .await,
    )
}

/// Admin: enable a disabled account again from the web console.
#[server(prefix = "/api/fn", endpoint = "admin_enable_user")]
pub async fn admin_enable_user(user_id: i64, q: Option<String>) -> Result<User, AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let user = users::enable(&ssr::state()?, &actor, user_id).await?;
            leptos_axum::redirect(&users_back(q, user.id));
            Ok(user)
        }
        .await,
    )
}

/// The 开放接口 console: issued Open311 keys, the endpoint, and a key just
/// issued (shown this once: it travels in a short-lived HttpOnly cookie
/// scoped to the page, which the page clears as it shows it).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ApiKeysView {
    pub keys: Vec<crate::models::ApiKeyInfo>,
    pub new_key: Option<String>,
    pub endpoint: String,
}

pub const NEW_KEY_COOKIE: &str = "zhuomu_new_key";

#[server(prefix = "/api/fn", endpoint = "admin_apikeys")]
pub async fn admin_apikeys() -> Result<ApiKeysView, AppError> {
    use crate::backend::{auth, open311};
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let state = ssr::state()?;
            let keys = open311::list_keys(&state, &actor).await?;
            let headers = ssr::parts()?.headers;
            let new_key =
                auth::cookie_value(&headers, NEW_KEY_COOKIE).filter(|k| k.starts_with("zk_"));
            if new_key.is_some() {
                ssr::set_cookie(format!(
                    "{NEW_KEY_COOKIE}=; Path=/admin/apikeys; Max-Age=0; HttpOnly; SameSite=Strict"
                ));
            }
            let endpoint = format!(
                "{}/open311/v2/discovery.json",
                auth::site_origin(&state.config, &headers).unwrap_or_default()
            );
            Ok(ApiKeysView {
                keys,
                new_key,
                endpoint,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "admin_create_apikey")]
pub async fn admin_create_apikey(name: String) -> Result<i64, AppError> {
    use crate::backend::open311;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let (info, key) = open311::create_key(&ssr::state()?, Some(&actor), &name).await?;
            let secure = if ssr::https() { "; Secure" } else { "" };
            ssr::set_cookie(format!(
                "{NEW_KEY_COOKIE}={key}; Path=/admin/apikeys; Max-Age=300; HttpOnly; SameSite=Strict{secure}"
            ));
            leptos_axum::redirect(&format!("/admin/apikeys?created={}", info.id));
            Ok(info.id)
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "admin_revoke_apikey")]
pub async fn admin_revoke_apikey(id: i64) -> Result<i64, AppError> {
    use crate::backend::open311;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let info = open311::revoke_key(&ssr::state()?, &actor, id).await?;
            leptos_axum::redirect(&format!("/admin/apikeys?revoked={}", info.id));
            Ok(info.id)
        }
        .await,
    )
}

/// Admin: set a person's roles from the web console.
#[server(prefix = "/api/fn", endpoint = "admin_set_roles")]
pub async fn admin_set_roles(
    user_id: i64,
    /// The list's search, kept across the save.
    q: Option<String>,
    moderator: Option<String>,
    unit_staff: Option<String>,
    admin: Option<String>,
    unit_id: Option<String>,
) -> Result<User, AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            let unit_id = match unit_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(
                    s.parse::<i64>()
                        .map_err(|_| AppError::field("unit_id", "请选择单位"))?,
                ),
                None => None,
            };
            // Checkboxes: present when ticked.
            let roles = [
                ("moderator", moderator),
                ("unit_staff", unit_staff),
                ("admin", admin),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .map(|(r, _)| r.to_owned())
            .collect();
            let input = users::SetRolesInput { roles, unit_id };
            let user = users::set_roles(&ssr::state()?, &actor, user_id, input).await?;
            // Back to the same list, saying what was saved.
            leptos_axum::redirect(&users_back(q, user.id));
            Ok(user)
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "units")]
pub async fn get_units() -> Result<Vec<crate::models::Unit>, AppError> {
    ssr::finish(crate::backend::city::list_units(&ssr::state()?).await)
}

// ---- 随手拍 reports -------------------------------------------------------

/// What the 随手拍 form needs: whether someone is signed in, the categories
/// and the map of the city.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportFormInfo {
    pub signed_in: bool,
    pub categories: Vec<crate::models::Category>,
    pub map: CityMap,
}

/// The city's areas, ready to draw.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CityMap {
    pub areas: Vec<crate::models::Area>,
}

#[cfg(feature = "ssr")]
async fn city_map(state: &crate::backend::AppState) -> Result<CityMap, AppError> {
    Ok(CityMap {
        areas: crate::backend::city::list_areas(state).await?,
    })
}

#[server(prefix = "/api/fn", endpoint = "report_form")]
pub async fn report_form_data() -> Result<ReportFormInfo, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            Ok(ReportFormInfo {
                signed_in: ssr::current_user().await?.is_some(),
                categories: crate::backend::city::list_categories(&state).await?,
                map: city_map(&state).await?,
            })
        }
        .await,
    )
}

/// The public list with its search, plus the map and this week's hot spots.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportBrowse {
    pub page: Page<crate::models::Report>,
    pub categories: Vec<crate::models::Category>,
    pub map: CityMap,
    pub hot: crate::models::HotIssues,
}

#[server(prefix = "/api/fn", endpoint = "browse_reports")]
pub async fn browse_reports(
    q: Option<String>,
    status: Option<String>,
    category_id: Option<i64>,
    page: Option<i64>,
) -> Result<ReportBrowse, AppError> {
    use crate::backend::{city, reports};
    use crate::domain::Paging;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let viewer = ssr::current_user().await?;
            let paging = Paging::parse(page, Some(20))?;
            let query = reports::ListQuery {
                status,
                category_id,
                q,
                bbox: None,
                overdue: None,
            };
            Ok(ReportBrowse {
                page: reports::list_public(&state, query, paging, viewer.as_ref()).await?,
                categories: city::list_categories(&state).await?,
                map: city_map(&state).await?,
                hot: reports::hot(&state).await?,
            })
        }
        .await,
    )
}

/// One report as the caller may see it, with the map around it.
#[server(prefix = "/api/fn", endpoint = "report")]
pub async fn get_report(id: i64) -> Result<(crate::models::Report, CityMap), AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let viewer = ssr::current_user().await?;
            let report = crate::backend::reports::get(&state, id, viewer.as_ref()).await?;
            Ok((report, city_map(&state).await?))
        }
        .await,
    )
}

/// My reports, or `None` when nobody is signed in.
#[server(prefix = "/api/fn", endpoint = "my_reports")]
pub async fn my_reports() -> Result<Option<Page<crate::models::Report>>, AppError> {
    use crate::domain::Paging;
    ssr::finish(
        async {
            let Some(me) = ssr::current_user().await? else {
                return Ok(None);
            };
            let paging = Paging {
                page: 1,
                per_page: 50,
            };
            Ok(Some(
                crate::backend::reports::mine(&ssr::state()?, &me, paging).await?,
            ))
        }
        .await,
    )
}

/// Follow or unfollow, then back to the report.
#[server(prefix = "/api/fn", endpoint = "follow")]
pub async fn follow_report(id: i64, on: bool) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::reports::set_following(&ssr::state()?, &me, id, on).await?;
            leptos_axum::redirect(&format!("/reports/{id}"));
            Ok(())
        }
        .await,
    )
}

/// The reporter's word on the fix.
#[server(prefix = "/api/fn", endpoint = "feedback")]
pub async fn report_feedback(
    id: i64,
    verdict: String,
    note: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::reports::{self, FeedbackInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            reports::feedback(&ssr::state()?, &me, id, FeedbackInput { verdict, note }).await?;
            leptos_axum::redirect(&format!("/reports/{id}"));
            Ok(())
        }
        .await,
    )
}

/// A report in a moderator's queue, with the unit routing would pick.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct QueueItem {
    pub report: crate::models::Report,
    pub suggested_unit: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    pub total: i64,
    pub units: Vec<crate::models::Unit>,
}

/// Moderator queues: `pending_review` (审核) or `rectified` (督查).
#[server(prefix = "/api/fn", endpoint = "queue")]
pub async fn moderation_queue(status: String) -> Result<Queue, AppError> {
    use crate::backend::{city, reports};
    use crate::domain::Paging;
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let state = ssr::state()?;
            let page = reports::moderation_queue(
                &state,
                &me,
                Some(&status),
                Paging {
                    page: 1,
                    per_page: 50,
                },
            )
            .await?;
            let mut items = Vec::with_capacity(page.items.len());
            for report in page.items {
                let suggested_unit = if report.status == crate::domain::ReportStatus::PendingReview
                {
                    reports::suggested_unit(&state, report.id).await?
                } else {
                    None
                };
                items.push(QueueItem {
                    report,
                    suggested_unit,
                });
            }
            Ok(Queue {
                items,
                total: page.total,
                units: city::list_units(&state).await?,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn optional_number(v: Option<String>, field: &str) -> Result<Option<i64>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(field, "请填写数字")),
    }
}

/// 审核 from the web console.
#[server(prefix = "/api/fn", endpoint = "review")]
pub async fn review_report(
    id: i64,
    decision: String,
    reason: Option<String>,
    unit_id: Option<String>,
    deadline_days: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::reports::{self, ReviewInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = ReviewInput {
                decision,
                reason,
                unit_id: optional_number(unit_id, "unit_id")?,
                deadline_days: optional_number(deadline_days, "deadline_days")?,
            };
            reports::review(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect(&format!("/manage/review?done={id}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "merge")]
pub async fn merge_report(id: i64, into_id: String) -> Result<(), AppError> {
    use crate::backend::reports::{self, MergeInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let into_id = optional_number(Some(into_id), "into_id")?
                .ok_or_else(|| AppError::field("into_id", "请填写原报告编号"))?;
            reports::merge(&ssr::state()?, &me, id, MergeInput { into_id }).await?;
            leptos_axum::redirect(&format!("/manage/review?done={id}"));
            Ok(())
        }
        .await,
    )
}

/// 督查 from the web console.
#[server(prefix = "/api/fn", endpoint = "verify")]
pub async fn verify_report(
    id: i64,
    decision: String,
    note: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::reports::{self, VerifyInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            reports::verify(&ssr::state()?, &me, id, VerifyInput { decision, note }).await?;
            leptos_axum::redirect(&format!("/manage/verify?done={id}"));
            Ok(())
        }
        .await,
    )
}

/// The caller's unit's tasks.
#[server(prefix = "/api/fn", endpoint = "unit_tasks")]
pub async fn unit_tasks() -> Result<Page<crate::models::Report>, AppError> {
    use crate::domain::Paging;
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::reports::unit_tasks(
                &ssr::state()?,
                &me,
                None,
                Paging {
                    page: 1,
                    per_page: 100,
                },
            )
            .await
        }
        .await,
    )
}

/// My messages (我的 → 消息), or `None` when nobody is signed in.
#[server(prefix = "/api/fn", endpoint = "inbox")]
pub async fn inbox() -> Result<Option<(i64, Page<crate::models::Notification>)>, AppError> {
    use crate::backend::notify;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let Some(me) = ssr::current_user().await? else {
                return Ok(None);
            };
            let state = ssr::state()?;
            let unread = notify::unread_count(&state, me.id).await?;
            let page = notify::list(
                &state,
                me.id,
                Paging {
                    page: 1,
                    per_page: 50,
                },
            )
            .await?;
            Ok(Some((unread, page)))
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "read_all")]
pub async fn read_all() -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::notify::mark_all_read(&ssr::state()?, me.id).await?;
            leptos_axum::redirect("/me/messages");
            Ok(())
        }
        .await,
    )
}

// ---- 志愿 -------------------------------------------------------------------

/// A duty post on the 志愿 tab: how far it is (when the phone said where it
/// is) and what the next seven days offer there.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PostNear {
    pub post: crate::models::Post,
    pub distance_m: Option<f64>,
    /// Shifts in the next seven days, and places left on them.
    pub shifts: i64,
    pub places: i64,
}

/// What the 志愿 tab shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VolunteerTab {
    pub signed_in: bool,
    pub hours: Option<crate::models::VolunteerHours>,
    /// My sign-ups that are not over yet.
    pub mine: Vec<crate::models::MyShift>,
    /// Nearest first when `near` is known, else by name.
    pub posts: Vec<PostNear>,
    pub near: Option<crate::domain::GeoPoint>,
    pub map: CityMap,
    pub stars: crate::models::VolunteerStars,
    /// `YYYY-MM-DD` in the city: check-in is offered on the shift's day,
    /// and for a shift starting before `soon` (an hour from now, RFC 3339
    /// with the shifts' offset: after midnight, say).
    pub today: String,
    pub soon: String,
    /// Cancelling is open for shifts starting after this (RFC 3339).
    pub cancel_by: String,
    /// The site's origin, for the calendar subscription link.
    pub origin: String,
}

/// `lat,lon` from the page's address; anything else is ignored.
pub fn parse_near(s: &str) -> Option<crate::domain::GeoPoint> {
    let (lat, lon) = s.split_once(',')?;
    let p = crate::domain::GeoPoint {
        lat: lat.trim().parse().ok()?,
        lon: lon.trim().parse().ok()?,
    };
    ((-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon)).then_some(p)
}

#[server(prefix = "/api/fn", endpoint = "volunteer")]
pub async fn volunteer_data(near: Option<String>) -> Result<VolunteerTab, AppError> {
    use crate::backend::volunteer;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::current_user().await?;
            let now = state.clock.now_ms();
            let near = near.as_deref().and_then(parse_near);
            let (mine, hours) = match &me {
                Some(u) => (
                    volunteer::my_shifts(
                        &state,
                        u,
                        Paging {
                            page: 1,
                            per_page: 50,
                        },
                        true,
                    )
                    .await?
                    .items,
                    Some(volunteer::my_hours(&state, u).await?),
                ),
                None => (vec![], None),
            };
            let summaries =
                volunteer::post_summaries(&state, now, now + 7 * crate::domain::report::DAY_MS)
                    .await?;
            let mut posts: Vec<PostNear> = volunteer::list_posts(&state)
                .await?
                .into_iter()
                .map(|post| {
                    let (_, shifts, places) = summaries
                        .iter()
                        .find(|(id, ..)| *id == post.id)
                        .copied()
                        .unwrap_or_default();
                    PostNear {
                        distance_m: near.map(|n| {
                            n.distance_m(crate::domain::GeoPoint {
                                lat: post.lat,
                                lon: post.lon,
                            })
                        }),
                        post,
                        shifts,
                        places,
                    }
                })
                .collect();
            if near.is_some() {
                posts.sort_by(|a, b| {
                    a.distance_m
                        .unwrap_or(0.0)
                        .total_cmp(&b.distance_m.unwrap_or(0.0))
                });
            }
            Ok(VolunteerTab {
                signed_in: me.is_some(),
                hours,
                mine,
                posts,
                near,
                map: city_map(&state).await?,
                stars: volunteer::stars(&state, None).await?,
                today: volunteer::today(&state)?.format("%Y-%m-%d").to_string(),
                soon: state.clock.rfc3339(now + crate::domain::volunteer::HOUR_MS),
                cancel_by: state
                    .clock
                    .rfc3339(now + crate::domain::volunteer::CANCEL_BEFORE_MS),
                origin: crate::backend::auth::site_origin(&state.config, &ssr::parts()?.headers)
                    .unwrap_or_default(),
            })
        }
        .await,
    )
}

/// One day of a post's week.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShiftDay {
    /// `11月26日 周四`
    pub label: String,
    pub shifts: Vec<crate::models::Shift>,
}

/// A post with its shifts, a week from `from` (a `YYYY-MM-DD` in the city).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WeekOfPost {
    pub post: crate::models::Post,
    pub signed_in: bool,
    pub from: String,
    /// The week before, unless it would be in the past.
    pub prev: Option<String>,
    pub next: String,
    pub days: Vec<ShiftDay>,
    pub map: CityMap,
    /// The server's time (RFC 3339, the city's offset like the shifts'), so
    /// the page offers no sign-up for a shift that has started.
    pub now: String,
    /// Cancelling is open for shifts starting after this.
    pub cancel_by: String,
}

#[cfg(feature = "ssr")]
async fn week_of(
    state: &crate::backend::AppState,
    me: Option<&crate::backend::auth::CurrentUser>,
    post: crate::models::Post,
    from: Option<&str>,
) -> Result<WeekOfPost, AppError> {
    use crate::backend::volunteer;
    use chrono::Datelike;
    let today = volunteer::today(state)?;
    let first = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => volunteer::parse_date("from", s)?,
        None => today,
    };
    let (start, end) = (
        volunteer::day_start(state, first)?,
        volunteer::day_start(state, first + chrono::Days::new(7))?,
    );
    let shifts = volunteer::list_shifts(
        state,
        volunteer::ShiftQuery {
            post_id: Some(post.id),
            from: Some(state.clock.rfc3339(start)),
            to: Some(state.clock.rfc3339(end)),
        },
        crate::domain::Paging {
            page: 1,
            per_page: 100,
        },
        me,
    )
    .await?
    .items;
    const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let days = first
        .iter_days()
        .take(7)
        .map(|d| {
            let key = d.format("%Y-%m-%d").to_string();
            ShiftDay {
                label: format!(
                    "{}月{}日 {}",
                    d.month(),
                    d.day(),
                    WEEKDAYS[d.weekday().num_days_from_monday() as usize]
                ),
                shifts: shifts
                    .iter()
                    .filter(|s| s.starts_at.starts_with(&key))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    let prev = first - chrono::Days::new(7);
    Ok(WeekOfPost {
        post,
        signed_in: me.is_some(),
        from: first.format("%Y-%m-%d").to_string(),
        prev: (first > today).then(|| prev.max(today).format("%Y-%m-%d").to_string()),
        next: (first + chrono::Days::new(7))
            .format("%Y-%m-%d")
            .to_string(),
        days,
        map: city_map(state).await?,
        now: state.clock.rfc3339(state.clock.now_ms()),
        cancel_by: state
            .clock
            .rfc3339(state.clock.now_ms() + crate::domain::volunteer::CANCEL_BEFORE_MS),
    })
}

/// A post's page: its place and a week of shifts.
#[server(prefix = "/api/fn", endpoint = "post_week")]
pub async fn post_week(id: i64, from: Option<String>) -> Result<WeekOfPost, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::current_user().await?;
            let post = crate::backend::volunteer::get_post(&state, id).await?;
            week_of(&state, me.as_ref(), post, from.as_deref()).await
        }
        .await,
    )
}

/// Only the volunteer pages are places to come back to after a form.
#[cfg(feature = "ssr")]
fn back_to(back: Option<String>) -> String {
    back.filter(|b| {
        crate::domain::local_path(b).is_some()
            && (b == "/volunteer" || b.starts_with("/volunteer/") || b.starts_with("/volunteer?"))
            && !b.contains("//")
    })
    .unwrap_or_else(|| "/volunteer".into())
}

/// Sign up (or join the waitlist) from the 志愿 pages.
#[server(prefix = "/api/fn", endpoint = "shift_signup")]
pub async fn shift_signup(shift_id: i64, back: Option<String>) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::signup(&ssr::state()?, &me, shift_id).await?;
            leptos_axum::redirect(&back_to(back));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "shift_cancel")]
pub async fn shift_cancel(shift_id: i64, back: Option<String>) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::cancel(&ssr::state()?, &me, shift_id).await?;
            leptos_axum::redirect(&back_to(back));
            Ok(())
        }
        .await,
    )
}

/// A new private calendar link for my shifts (the old one stops working);
/// the page shows it once.
#[server(prefix = "/api/fn", endpoint = "calendar_link")]
pub async fn new_calendar_link() -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let path = crate::backend::volunteer::new_calendar_link(&ssr::state()?, &me).await?;
            let key = path.rsplit('=').next().unwrap_or_default();
            leptos_axum::redirect(&format!("/volunteer?calendar={key}#calendar"));
            Ok(())
        }
        .await,
    )
}

/// The 志愿服务之星 page: a month and its neighbours.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StarsMonth {
    pub stars: crate::models::VolunteerStars,
    pub prev: String,
    /// Not past the current month.
    pub next: Option<String>,
}

#[server(prefix = "/api/fn", endpoint = "stars")]
pub async fn stars_page(month: Option<String>) -> Result<StarsMonth, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let stars = crate::backend::volunteer::stars(&state, month.as_deref()).await?;
            let (prev, next) = month_neighbours(&state, &stars.month)?;
            Ok(StarsMonth { prev, next, stars })
        }
        .await,
    )
}

/// The month before `month` (`YYYY-MM`), and the one after unless that is
/// still to come (city time).
#[cfg(feature = "ssr")]
fn month_neighbours(
    state: &crate::backend::AppState,
    month: &str,
) -> Result<(String, Option<String>), AppError> {
    use chrono::{Months, NaiveDate};
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| AppError::Internal)?;
    let this = crate::backend::volunteer::today(state)?
        .format("%Y-%m")
        .to_string();
    let fmt = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m").to_string());
    Ok((
        fmt(first.checked_sub_months(Months::new(1))).unwrap_or_default(),
        fmt(first.checked_add_months(Months::new(1))).filter(|n| *n <= this),
    ))
}

/// The moderator's day: every shift of a date with its places, and the
/// volunteers whose self sign-up is suspended.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShiftsOfDay {
    pub date: String,
    pub shifts: Vec<(crate::models::Shift, String)>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub suspended: Vec<crate::models::SuspendedVolunteer>,
}

#[server(prefix = "/api/fn", endpoint = "manage_shifts")]
pub async fn manage_shifts(
    date: Option<String>,
    page: Option<i64>,
) -> Result<ShiftsOfDay, AppError> {
    use crate::backend::volunteer;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::require_user().await?;
            let suspended = volunteer::suspended(&state, &me).await?;
            let day = match date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => volunteer::parse_date("date", s)?,
                None => volunteer::today(&state)?,
            };
            let (start, end) = (
                volunteer::day_start(&state, day)?,
                volunteer::day_start(&state, day + chrono::Days::new(1))?,
            );
            let shifts = volunteer::list_shifts(
                &state,
                volunteer::ShiftQuery {
                    post_id: None,
                    from: Some(state.clock.rfc3339(start)),
                    to: Some(state.clock.rfc3339(end)),
                },
                crate::domain::Paging {
                    page: page.unwrap_or(1).max(1),
                    per_page: 100,
                },
                None,
            )
            .await?;
            let (total, page, pages) = (shifts.total, shifts.page, (shifts.total + 99) / 100);
            let shifts = shifts.items;
            let posts = volunteer::list_posts(&state).await?;
            let name = |id: i64| {
                posts
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default()
            };
            Ok(ShiftsOfDay {
                total,
                page,
                pages,
                date: day.format("%Y-%m-%d").to_string(),
                shifts: shifts
                    .into_iter()
                    .map(|s| {
                        let n = name(s.post_id);
                        (s, n)
                    })
                    .collect(),
                suspended,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "shift_attendance")]
pub async fn shift_attendance(id: i64) -> Result<crate::models::ShiftAttendance, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::attendance_list(&ssr::state()?, &me, id).await
        }
        .await,
    )
}

/// Confirm or correct a sign-up's minutes from the attendance list.
#[server(prefix = "/api/fn", endpoint = "correct_minutes")]
pub async fn correct_minutes(
    shift_id: i64,
    signup_id: i64,
    credited_minutes: String,
) -> Result<(), AppError> {
    use crate::backend::volunteer::{self, AttendanceInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let credited_minutes = optional_number(Some(credited_minutes), "credited_minutes")?
                .ok_or_else(|| AppError::field("credited_minutes", "请填写分钟数"))?;
            volunteer::correct_attendance(
                &ssr::state()?,
                &me,
                signup_id,
                AttendanceInput { credited_minutes },
            )
            .await?;
            leptos_axum::redirect(&format!("/manage/shifts/{shift_id}?saved={signup_id}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "lift_suspension")]
pub async fn lift_volunteer_suspension(user_id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::lift_suspension(&ssr::state()?, &me, user_id).await?;
            leptos_axum::redirect("/manage/shifts?lifted=1");
            Ok(())
        }
        .await,
    )
}

/// Admin: the duty posts on the city map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PostsOnMap {
    pub posts: Vec<crate::models::Post>,
    pub map: CityMap,
}

#[server(prefix = "/api/fn", endpoint = "admin_posts")]
pub async fn admin_posts() -> Result<PostsOnMap, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            ssr::require_user().await?.require_admin()?;
            Ok(PostsOnMap {
                posts: crate::backend::volunteer::list_posts(&state).await?,
                map: city_map(&state).await?,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn optional_float(v: &str, field: &str) -> Result<Option<f64>, AppError> {
    match v.trim() {
        "" => Ok(None),
        s => s
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| AppError::field(field, "请填写数字")),
    }
}

#[server(prefix = "/api/fn", endpoint = "add_post")]
pub async fn add_post(
    name: String,
    lat: String,
    lon: String,
    radius_m: String,
    description: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::volunteer::{self, PostInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let place = |v: &str, field: &str| {
                optional_float(v, field)?
                    .ok_or_else(|| AppError::field(field, "请在地图上点选岗位位置"))
            };
            let input = PostInput {
                name,
                lat: place(&lat, "lat")?,
                lon: place(&lon, "lon")?,
                radius_m: optional_float(&radius_m, "radius_m")?,
                description,
            };
            let post = volunteer::create_post(&ssr::state()?, Some(&me), input).await?;
            leptos_axum::redirect(&format!("/admin/posts/{}", post.id));
            Ok(())
        }
        .await,
    )
}

/// Admin: a post's page with its week and the scheduling forms.
#[server(prefix = "/api/fn", endpoint = "admin_post")]
pub async fn admin_post(id: i64, from: Option<String>) -> Result<WeekOfPost, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let post = crate::backend::volunteer::get_post(&state, id).await?;
            week_of(&state, None, post, from.as_deref()).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn schedule_and_return(
    post_id: i64,
    from_date: String,
    to_date: String,
    periods: Result<Vec<(String, String)>, String>,
    capacity: String,
) -> Result<(), AppError> {
    use crate::backend::volunteer::{self, PeriodInput, ScheduleInput};
    let me = ssr::require_user().await?;
    me.require_admin()?;
    let periods = periods.map_err(|e| AppError::field("periods", e))?;
    let capacity = optional_number(Some(capacity), "capacity")?
        .ok_or_else(|| AppError::field("capacity", "请填写名额"))?;
    let done = volunteer::schedule(
        &ssr::state()?,
        Some(&me),
        post_id,
        ScheduleInput {
            from_date: from_date.clone(),
            to_date,
            periods: periods
                .into_iter()
                .map(|(start, end)| PeriodInput { start, end })
                .collect(),
            capacity,
        },
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/admin/posts/{post_id}?from={}&created={}",
        from_date.trim(),
        done.created
    ));
    Ok(())
}

/// Admin: one shift on one day (again: nothing new if it exists).
#[server(prefix = "/api/fn", endpoint = "add_shift")]
pub async fn add_shift(
    post_id: i64,
    date: String,
    start: String,
    end: String,
    capacity: String,
) -> Result<(), AppError> {
    ssr::finish(
        schedule_and_return(
            post_id,
            date.clone(),
            date,
            Ok(vec![(start, end)]),
            capacity,
        )
        .await,
    )
}

/// Admin: shifts for a date range × daily periods (`07:00-09:00 17:00-19:00`).
/// Idempotent: what exists is not created again.
#[server(prefix = "/api/fn", endpoint = "schedule")]
pub async fn schedule_shifts(
    post_id: i64,
    from_date: String,
    to_date: String,
    periods: String,
    capacity: String,
) -> Result<(), AppError> {
    let periods = crate::domain::volunteer::periods_text(&periods);
    ssr::finish(schedule_and_return(post_id, from_date, to_date, periods, capacity).await)
}

// ---- 积分与礼品 ------------------------------------------------------------

#[server(prefix = "/api/fn", endpoint = "leaderboard")]
pub async fn leaderboard_data(
    board: Option<String>,
    period: Option<String>,
) -> Result<Vec<crate::models::LeaderRow>, AppError> {
    ssr::finish(
        async {
            crate::backend::points::leaderboard(
                &ssr::state()?,
                board.as_deref().unwrap_or("points"),
                period.as_deref().unwrap_or("month"),
            )
            .await
        }
        .await,
    )
}

/// The gift shop: what is on offer, and my balance when signed in.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Shop {
    pub gifts: Vec<crate::models::Gift>,
    pub balance: Option<i64>,
}

#[server(prefix = "/api/fn", endpoint = "shop")]
pub async fn gift_shop() -> Result<Shop, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let balance = match ssr::current_user().await? {
                Some(u) => Some(crate::backend::points::summary(&state, u.id).await?.balance),
                None => None,
            };
            Ok(Shop {
                gifts: crate::backend::gifts::list(&state, false).await?,
                balance,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "redeem")]
pub async fn redeem_gift(gift_id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let r = crate::backend::gifts::redeem(&ssr::state()?, &me, gift_id).await?;
            leptos_axum::redirect(&format!("/me/redemptions?new={}", r.id));
            Ok(())
        }
        .await,
    )
}

/// A redemption with its pickup code drawn as a QR code (SVG markup made on
/// the server). The QR code holds the fulfilment console's link for the
/// code, so staff may scan it with any camera app, or with the console.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RedemptionCard {
    pub redemption: crate::models::Redemption,
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    qrcode::QrCode::new(text.as_bytes())
        .map(|q| {
            q.render::<svg::Color>()
                .min_dimensions(180, 180)
                .quiet_zone(true)
                .build()
        })
        // Inline in HTML: the markup from `<svg` on, without the XML prolog.
        .map(|svg| {
            svg.find("<svg")
                .map(|i| svg[i..].to_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[server(prefix = "/api/fn", endpoint = "my_redemptions")]
pub async fn my_redemptions() -> Result<Vec<RedemptionCard>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let state = ssr::state()?;
            let origin = crate::backend::auth::site_origin(&state.config, &ssr::parts()?.headers);
            Ok(crate::backend::gifts::mine(&state, &me)
                .await?
                .into_iter()
                .map(|r| RedemptionCard {
                    qr_svg: if r.status == "pending_pickup" {
                        qr_svg(&match &origin {
                            Some(o) => crate::domain::points::fulfil_link(o, &r.code),
                            None => r.code.clone(),
                        })
                    } else {
                        String::new()
                    },
                    redemption: r,
                })
                .collect())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "cancel_redemption")]
pub async fn cancel_redemption(id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::gifts::cancel(&ssr::state()?, &me, id).await?;
            leptos_axum::redirect("/me/redemptions?cancelled=1");
            Ok(())
        }
        .await,
    )
}

/// Staff: what a code is for (nothing asked yet: `None`).
#[server(prefix = "/api/fn", endpoint = "fulfil_lookup")]
pub async fn fulfil_lookup(
    code: Option<String>,
) -> Result<Option<crate::models::Redemption>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::gifts::require_fulfiller(&me)?;
            match code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                Some(c) => Ok(Some(
                    crate::backend::gifts::by_code(&ssr::state()?, &me, c).await?,
                )),
                None => Ok(None),
            }
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "fulfil")]
pub async fn fulfil_code(code: String) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let r = crate::backend::gifts::fulfil(&ssr::state()?, &me, &code).await?;
            leptos_axum::redirect(&format!("/manage/fulfil?code={}&done=1", r.code));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "admin_gifts")]
pub async fn admin_gifts() -> Result<Vec<crate::models::Gift>, AppError> {
    ssr::finish(
        async {
            ssr::require_user().await?.require_admin()?;
            crate::backend::gifts::list(&ssr::state()?, true).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "add_gift")]
pub async fn add_gift(
    name: String,
    description: Option<String>,
    cost: String,
    stock: String,
) -> Result<(), AppError> {
    use crate::backend::gifts::{self, GiftInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let number = |v: String, field: &str| {
                optional_number(Some(v), field)?.ok_or_else(|| AppError::field(field, "请填写数字"))
            };
            let input = GiftInput {
                name,
                description,
                cost: number(cost, "cost")?,
                stock: number(stock, "stock")?,
            };
            gifts::create(&ssr::state()?, Some(&me), input).await?;
            leptos_axum::redirect("/admin/gifts?saved=1");
            Ok(())
        }
        .await,
    )
}

/// Admin: restock and/or hide or show a gift.
#[server(prefix = "/api/fn", endpoint = "update_gift")]
pub async fn update_gift(
    id: i64,
    restock: Option<String>,
    hidden: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::gifts::{self, GiftUpdate};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let input = GiftUpdate {
                restock: optional_number(restock, "restock")?,
                hidden: hidden.map(|h| h == "1"),
                cost: None,
            };
            gifts::update(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect("/admin/gifts?saved=1");
            Ok(())
        }
        .await,
    )
}

/// Staff: the earning rules in force (the page's form starts from them).
#[server(prefix = "/api/fn", endpoint = "points_rules")]
pub async fn points_rules() -> Result<crate::domain::points::EarningRules, AppError> {
    ssr::finish(
        async {
            ssr::require_user().await?.require_moderator()?;
            crate::backend::points::rules(&ssr::state()?.db.pool).await
        }
        .await,
    )
}

/// Moderators and admins: add or take points, with a reason (audited).
#[server(prefix = "/api/fn", endpoint = "adjust_points")]
pub async fn adjust_points(phone: String, delta: String, reason: String) -> Result<(), AppError> {
    use crate::backend::points::{self, AdjustInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_moderator()?;
            let state = ssr::state()?;
            let phone =
                crate::domain::Phone::parse(&phone).map_err(|e| AppError::field("phone", e))?;
            let user = crate::backend::users::find_by_phone(&state, &phone)
                .await?
                .ok_or_else(|| AppError::field("phone", "没有这个手机号的用户"))?;
            let delta = optional_number(Some(delta), "delta")?
                .ok_or_else(|| AppError::field("delta", "请填写积分变动"))?;
            points::adjust(
                &state,
                &me,
                AdjustInput {
                    user_id: user.id,
                    delta,
                    reason,
                },
            )
            .await?;
            leptos_axum::redirect("/admin/points?adjusted=1");
            Ok(())
        }
        .await,
    )
}

/// Admins: change the earning rules.
#[server(prefix = "/api/fn", endpoint = "set_rules")]
pub async fn set_points_rules(
    report_confirmed: String,
    volunteer_per_hour: String,
    nomination_approved: String,
    daily_vote: String,
    report_daily_cap: String,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let mut input = std::collections::BTreeMap::new();
            for (key, v) in [
                ("report_confirmed", report_confirmed),
                ("volunteer_per_hour", volunteer_per_hour),
                ("nomination_approved", nomination_approved),
                ("daily_vote", daily_vote),
                ("report_daily_cap", report_daily_cap),
            ] {
                let n = optional_number(Some(v), key)?
                    .ok_or_else(|| AppError::field(key, "请填写数字"))?;
                input.insert(key.to_owned(), n);
            }
            crate::backend::points::set_rules(&ssr::state()?, &me, input).await?;
            leptos_axum::redirect("/admin/points?rules=1");
            Ok(())
        }
        .await,
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn forms_return_only_to_volunteer_pages() {
        let back = |b: &str| back_to(Some(b.to_owned()));
        assert_eq!(
            back("/volunteer/posts/3?from=2026-12-01"),
            "/volunteer/posts/3?from=2026-12-01"
        );
        assert_eq!(
            back("/volunteer?near=39.77,98.29"),
            "/volunteer?near=39.77,98.29"
        );
        assert_eq!(back("https://evil.example/volunteer"), "/volunteer");
        assert_eq!(back("//evil.example"), "/volunteer");
        assert_eq!(back("/volunteer//evil.example"), "/volunteer");
        assert_eq!(back("/volunteers-fake"), "/volunteer");
        assert_eq!(back("/volunteer?\n"), "/volunteer", "no header injection");
        assert_eq!(back("/volunteer?a=\u{7f}"), "/volunteer");
        assert_eq!(back_to(None), "/volunteer");
    }

    #[test]
    fn near_from_the_address() {
        let p = parse_near("39.77351,98.28702").unwrap();
        assert!((p.lat - 39.77351).abs() < 1e-9 && (p.lon - 98.28702).abs() < 1e-9);
        assert!(parse_near("").is_none());
        assert!(parse_near("95,98").is_none());
        assert!(parse_near("abc,def").is_none());
    }

    #[test]
    fn typed_numbers() {
        assert_eq!(optional_float(" 39.5 ", "lat").unwrap(), Some(39.5));
        assert_eq!(optional_float("", "lat").unwrap(), None);
        assert!(optional_float("NaN", "lat").is_err());
        assert!(optional_float("北纬39", "lat").is_err());
    }
}

// ---- 好人 campaigns ---------------------------------------------------------

/// A campaign's page: its approved nominations (optionally one category),
/// and for a signed-in person their votes today and their own nominations.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CampaignView {
    pub campaign: crate::models::Campaign,
    pub nominations: Vec<crate::models::Nomination>,
    pub my: Option<crate::models::MyVotes>,
    pub mine: Vec<crate::models::Nomination>,
    pub signed_in: bool,
}

#[server(prefix = "/api/fn", endpoint = "campaigns")]
pub async fn campaigns_list() -> Result<Vec<crate::models::Campaign>, AppError> {
    ssr::finish(crate::backend::campaigns::list(&ssr::state()?).await)
}

#[server(prefix = "/api/fn", endpoint = "campaign_page")]
pub async fn campaign_page(id: i64, category: Option<String>) -> Result<CampaignView, AppError> {
    use crate::backend::campaigns;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let campaign = campaigns::get(&state, id).await?;
            let nominations = campaigns::nominations(&state, id, category.as_deref()).await?;
            let me = ssr::current_user().await?;
            let (my, mine) = match &me {
                Some(u) => (
                    Some(campaigns::my_votes(&state, u, id).await?),
                    campaigns::mine(&state, u, id).await?,
                ),
                None => (None, vec![]),
            };
            Ok(CampaignView {
                campaign,
                nominations,
                my,
                mine,
                signed_in: me.is_some(),
            })
        }
        .await,
    )
}

/// Where a campaign form goes back to: a page of the campaigns, else the
/// list.
#[cfg(feature = "ssr")]
fn back_to_campaign(back: Option<String>) -> String {
    back.filter(|b| {
        crate::domain::local_path(b).is_some()
            && ["/campaigns/", "/nominations/"]
                .iter()
                .any(|root| b.starts_with(root))
            && !b.contains("//")
    })
    .unwrap_or_else(|| "/campaigns".into())
}

/// Vote from a campaign page or a nomination's page; back there with
/// `voted=`.
#[server(prefix = "/api/fn", endpoint = "vote")]
pub async fn cast_vote(nomination_id: i64, back: Option<String>) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let state = ssr::state()?;
            let parts = ssr::parts()?;
            let ip = crate::backend::auth::client_ip(
                state.config.trust_proxy,
                &parts.headers,
                &parts.extensions,
            )
            .map(|ip| ip.to_string());
            let r = crate::backend::campaigns::vote(&state, &me, nomination_id, ip).await?;
            let back = back_to_campaign(back);
            let back = back.split(['?', '#']).next().unwrap_or_default();
            leptos_axum::redirect(&format!(
                "{back}?voted={}&left={}#n{}",
                r.nomination_id, r.votes_left_today, r.nomination_id
            ));
            Ok(())
        }
        .await,
    )
}

/// A nomination's own page (the share link).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NominationView {
    pub nomination: crate::models::Nomination,
    pub campaign: crate::models::Campaign,
    pub my: Option<crate::models::MyVotes>,
    pub signed_in: bool,
    /// The absolute link to share.
    pub share_url: String,
}

#[server(prefix = "/api/fn", endpoint = "nomination_page")]
pub async fn nomination_page(id: i64) -> Result<NominationView, AppError> {
    use crate::backend::campaigns;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::current_user().await?;
            let nomination = campaigns::nomination(&state, me.as_ref(), id).await?;
            let campaign = campaigns::get(&state, nomination.campaign_id).await?;
            let my = match &me {
                Some(u) => Some(campaigns::my_votes(&state, u, campaign.id).await?),
                None => None,
            };
            let origin = crate::backend::auth::site_origin(&state.config, &ssr::parts()?.headers)
                .unwrap_or_default();
            Ok(NominationView {
                share_url: format!("{origin}/nominations/{id}"),
                nomination,
                campaign,
                my,
                signed_in: me.is_some(),
            })
        }
        .await,
    )
}

/// A campaign's ranking; admins may mark winners once voting has ended.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ResultsPage {
    pub campaign: crate::models::Campaign,
    pub ranking: Vec<crate::models::RankedNomination>,
    pub admin: bool,
}

#[server(prefix = "/api/fn", endpoint = "campaign_results")]
pub async fn campaign_results(id: i64) -> Result<ResultsPage, AppError> {
    use crate::backend::campaigns;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let admin = ssr::current_user()
                .await?
                .is_some_and(|u| u.require_admin().is_ok());
            Ok(ResultsPage {
                campaign: campaigns::get(&state, id).await?,
                ranking: campaigns::results(&state, id).await?,
                admin,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "mark_winner")]
pub async fn mark_winner(nomination_id: i64, winner: bool) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let n =
                crate::backend::campaigns::set_winner(&ssr::state()?, &me, nomination_id, winner)
                    .await?;
            leptos_axum::redirect(&format!("/campaigns/{}/results", n.campaign_id));
            Ok(())
        }
        .await,
    )
}

/// The 红榜: winners by campaign.
#[server(prefix = "/api/fn", endpoint = "honors")]
pub async fn honors_page()
-> Result<Vec<(crate::models::Campaign, Vec<crate::models::Nomination>)>, AppError> {
    ssr::finish(crate::backend::campaigns::honors(&ssr::state()?).await)
}

#[server(prefix = "/api/fn", endpoint = "nomination_queue")]
pub async fn nomination_queue() -> Result<Vec<crate::models::Nomination>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::campaigns::queue(&ssr::state()?, &me).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "review_nomination")]
pub async fn review_nomination(
    id: i64,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::campaigns::{self, ReviewInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            campaigns::review(&ssr::state()?, &me, id, ReviewInput { decision, reason }).await?;
            leptos_axum::redirect(&format!("/manage/nominations?done={id}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "admin_campaigns")]
pub async fn admin_campaigns() -> Result<Vec<crate::models::Campaign>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            crate::backend::campaigns::list(&ssr::state()?).await
        }
        .await,
    )
}

/// Create (no `id`) or edit a campaign from the admin form. Times come from
/// `datetime-local` inputs, in the city's time.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "save_campaign")]
pub async fn save_campaign(
    id: Option<i64>,
    title: String,
    description: Option<String>,
    nomination_starts_at: String,
    nomination_ends_at: String,
    voting_starts_at: String,
    voting_ends_at: String,
    votes_per_day: String,
    min_account_age_hours: String,
) -> Result<(), AppError> {
    use crate::backend::campaigns::{self, CampaignInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let state = ssr::state()?;
            let mut f = crate::domain::Fields::new();
            let mut time =
                |field: &str, v: &str| f.check(field, local_time(&state, v)).unwrap_or_default();
            let ns = time("nomination_starts_at", &nomination_starts_at);
            let ne = time("nomination_ends_at", &nomination_ends_at);
            let vs = time("voting_starts_at", &voting_starts_at);
            let ve = time("voting_ends_at", &voting_ends_at);
            let mut number = |field: &str, v: &str| match v.trim() {
                "" => None,
                v => f.check(field, v.parse::<i64>().map_err(|_| "请填写整数".to_owned())),
            };
            let per_day = number("votes_per_day", &votes_per_day);
            let age = number("min_account_age_hours", &min_account_age_hours);
            f.finish()?;
            let input = CampaignInput {
                title: Some(title),
                description,
                nomination_starts_at: Some(ns),
                nomination_ends_at: Some(ne),
                voting_starts_at: Some(vs),
                voting_ends_at: Some(ve),
                votes_per_day: per_day,
                min_account_age_hours: age,
            };
            match id {
                Some(id) => campaigns::update(&state, &me, id, input).await?,
                None => campaigns::create(&state, Some(&me), input).await?,
            };
            leptos_axum::redirect("/admin/campaigns?saved=1");
            Ok(())
        }
        .await,
    )
}

/// `2026-12-01T08:00` (a `datetime-local` input) in the city's time, as
/// RFC 3339.
#[cfg(feature = "ssr")]
fn local_time(state: &crate::backend::AppState, v: &str) -> Result<String, String> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| "请选择日期和时间".to_owned())?;
    state
        .clock
        .zone()
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.to_rfc3339())
        .ok_or_else(|| "这个时间不存在".to_owned())
}

// ---- 创城信箱 and the audit log ---------------------------------------------

/// The 创城信箱 page: answered public suggestions, and mine when signed in.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MailboxView {
    pub public: Page<crate::models::Suggestion>,
    pub mine: Option<Page<crate::models::Suggestion>>,
}

#[server(prefix = "/api/fn", endpoint = "mailbox")]
pub async fn mailbox(page: Option<i64>) -> Result<MailboxView, AppError> {
    use crate::backend::suggestions;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let paging = Paging::parse(page, Some(20))?;
            let mine = match ssr::current_user().await? {
                Some(u) => {
                    Some(suggestions::mine(&state, &u, Paging::parse(None, Some(50))?).await?)
                }
                None => None,
            };
            Ok(MailboxView {
                public: suggestions::public(&state, paging).await?,
                mine,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "send_suggestion")]
pub async fn send_suggestion(title: String, body: String) -> Result<(), AppError> {
    use crate::backend::suggestions::{self, SuggestionInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            suggestions::create(&ssr::state()?, &me, SuggestionInput { title, body }).await?;
            leptos_axum::redirect("/mailbox?sent=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "suggestion_inbox")]
pub async fn suggestion_inbox(
    page: Option<i64>,
) -> Result<Page<crate::models::Suggestion>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let paging = crate::domain::Paging::parse(page, Some(20))?;
            crate::backend::suggestions::inbox(&ssr::state()?, &me, paging).await
        }
        .await,
    )
}

/// A moderator's answer; `public` is a checkbox (present when ticked).
#[server(prefix = "/api/fn", endpoint = "answer_suggestion")]
pub async fn answer_suggestion(
    id: i64,
    answer: String,
    public: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::suggestions::{self, AnswerInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = AnswerInput {
                answer,
                public: public.is_some(),
            };
            suggestions::answer(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect(&format!("/manage/suggestions?answered={id}"));
            Ok(())
        }
        .await,
    )
}

/// The admin's audit viewer: filters as the query string gives them.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "audit_page")]
pub async fn audit_page(
    actor_id: Option<String>,
    action: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<Page<crate::models::AuditEntry>, AppError> {
    use crate::backend::audit::{self, AuditQuery};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let number = |field: &str, v: Option<String>| -> Result<Option<i64>, AppError> {
                match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(v) => v
                        .parse()
                        .map(Some)
                        .map_err(|_| AppError::field(field, "应为数字")),
                }
            };
            let q = AuditQuery {
                actor_id: number("actor_id", actor_id)?,
                action,
                target_type,
                target_id: number("target_id", target_id)?,
                from,
                to,
                page,
                per_page: Some(50),
            };
            audit::list(&ssr::state()?, &me, q).await
        }
        .await,
    )
}

// ---- the dashboard and the monthly 通报 --------------------------------------

/// The dashboard: the public numbers with their charts (SVG drawn on the
/// server), and for staff the per-unit and per-area detail.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DashboardView {
    pub overview: crate::models::StatsOverview,
    pub detail: Option<crate::models::StatsDetail>,
    pub status_chart: String,
    pub category_chart: String,
    pub weekly_chart: String,
}

#[server(prefix = "/api/fn", endpoint = "dashboard")]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    use crate::backend::{charts, stats};
    use crate::domain::ReportStatus;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let overview = stats::overview(&state).await?;
            let detail = match ssr::current_user().await? {
                Some(u) if u.roles.can_moderate() => Some(stats::detail(&state, &u).await?),
                _ => None,
            };
            let r = &overview.reports;
            let statuses: Vec<(String, i64)> = ReportStatus::ALL
                .iter()
                .filter(|s| !matches!(s, ReportStatus::Duplicate))
                .map(|s| {
                    (
                        s.label().to_owned(),
                        r.by_status.get(s.as_str()).copied().unwrap_or(0),
                    )
                })
                .collect();
            let top: Vec<&crate::models::CategoryCount> = r.by_category.iter().take(6).collect();
            let weeks: Vec<String> = r.weekly.iter().map(|w| w.week[5..].to_owned()).collect();
            Ok(DashboardView {
                status_chart: charts::bars(
                    "问题状态",
                    &statuses.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
                    &statuses.iter().map(|s| s.1).collect::<Vec<_>>(),
                ),
                category_chart: charts::bars(
                    "问题类别",
                    &top.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                    &top.iter().map(|c| c.count).collect::<Vec<_>>(),
                ),
                weekly_chart: charts::lines(
                    "近12周上报与销号",
                    &weeks,
                    &[
                        ("上报", r.weekly.iter().map(|w| w.reported).collect(), true),
                        ("销号", r.weekly.iter().map(|w| w.closed).collect(), false),
                    ],
                ),
                overview,
                detail,
            })
        }
        .await,
    )
}

/// The monthly 通报 page: a month's units ranked, with the months around.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TongbaoView {
    pub month: String,
    pub prev: String,
    pub next: Option<String>,
    pub units: Vec<crate::models::UnitMonth>,
}

#[server(prefix = "/api/fn", endpoint = "tongbao")]
pub async fn tongbao(month: Option<String>) -> Result<TongbaoView, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::require_user().await?;
            let (month, units) =
                crate::backend::stats::units_month(&state, &me, month.as_deref()).await?;
            let (prev, next) = month_neighbours(&state, &month)?;
            Ok(TongbaoView {
                month,
                prev,
                next,
                units,
            })
        }
        .await,
    )
}

// ---- the admin's city: units, categories, areas -----------------------------

/// The admin's city page: units, categories, and the areas on the map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CityAdminView {
    pub units: Vec<crate::models::Unit>,
    pub categories: Vec<crate::models::Category>,
    pub map: CityMap,
}

#[server(prefix = "/api/fn", endpoint = "admin_city")]
pub async fn admin_city() -> Result<CityAdminView, AppError> {
    use crate::backend::city;
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let state = ssr::state()?;
            Ok(CityAdminView {
                units: city::list_units(&state).await?,
                categories: city::list_categories(&state).await?,
                map: city_map(&state).await?,
            })
        }
        .await,
    )
}

/// A whole number typed in a form, or `None` when left empty.
#[cfg(feature = "ssr")]
fn form_number(field: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(field, "请填写整数")),
    }
}

#[server(prefix = "/api/fn", endpoint = "add_unit")]
pub async fn add_unit(name: String) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = crate::backend::city::UnitInput { name };
            crate::backend::city::create_unit(&ssr::state()?, Some(&me), input).await?;
            leptos_axum::redirect("/admin/city?saved=unit");
            Ok(())
        }
        .await,
    )
}

/// A category's fields as a form sends them.
#[cfg(feature = "ssr")]
fn category_form(
    name: String,
    points: &str,
    sla_days: &str,
    unit_id: Option<&str>,
) -> Result<crate::backend::city::CategoryInput, AppError> {
    Ok(crate::backend::city::CategoryInput {
        name,
        points: form_number("points", Some(points))?
            .ok_or_else(|| AppError::field("points", "请填写积分"))?,
        sla_days: form_number("sla_days", Some(sla_days))?
            .ok_or_else(|| AppError::field("sla_days", "请填写整改期限"))?,
        unit_id: form_number("unit_id", unit_id)?,
    })
}

#[server(prefix = "/api/fn", endpoint = "add_category")]
pub async fn add_category(
    name: String,
    points: String,
    sla_days: String,
    unit_id: Option<String>,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = category_form(name, &points, &sla_days, unit_id.as_deref())?;
            crate::backend::city::create_category(&ssr::state()?, Some(&me), input).await?;
            leptos_axum::redirect("/admin/city?saved=category");
            Ok(())
        }
        .await,
    )
}

/// An admin changes a category from 城市与区域.
#[server(prefix = "/api/fn", endpoint = "edit_category")]
pub async fn edit_category(
    id: i64,
    name: String,
    points: String,
    sla_days: String,
    unit_id: Option<String>,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = category_form(name, &points, &sla_days, unit_id.as_deref())?;
            crate::backend::city::update_category(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect("/admin/city?saved=category");
            Ok(())
        }
        .await,
    )
}

/// A segment or grid from pasted GeoJSON (a Polygon, or a LineString with a
/// buffer for a street).
#[server(prefix = "/api/fn", endpoint = "add_area")]
pub async fn add_area(
    name: String,
    kind: String,
    unit_id: String,
    geojson: String,
    buffer_m: Option<String>,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let (polygon, line) = crate::domain::geo::pasted_geojson(&geojson)
                .map_err(|e| AppError::field("geojson", e))?;
            let buffer_m = match buffer_m.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(b) => Some(
                    b.parse::<f64>()
                        .map_err(|_| AppError::field("buffer_m", "请填写米数"))?,
                ),
            };
            let input = crate::backend::city::AreaInput {
                name,
                kind,
                unit_id: form_number("unit_id", Some(&unit_id))?
                    .ok_or_else(|| AppError::field("unit_id", "请选择责任单位"))?,
                polygon,
                line,
                buffer_m,
            };
            crate::backend::city::create_area(&ssr::state()?, Some(&me), input).await?;
            leptos_axum::redirect("/admin/city?saved=area");
            Ok(())
        }
        .await,
    )
}
