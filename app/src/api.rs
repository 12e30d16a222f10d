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
pub async fn admin_users(phone: Option<String>) -> Result<Page<User>, AppError> {
    use crate::backend::users;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let actor = ssr::require_user().await?;
            users::list(
                &ssr::state()?,
                &actor,
                phone.as_deref(),
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

/// Admin: set a person's roles from the web console.
#[server(prefix = "/api/fn", endpoint = "admin_set_roles")]
pub async fn admin_set_roles(
    user_id: i64,
    /// The list's phone filter, kept across the save.
    phone: Option<String>,
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
            // Only a parsed phone number goes back into the URL.
            let phone = phone
                .and_then(|p| crate::domain::Phone::parse(&p).ok())
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/users?phone={phone}&saved={}", user.id));
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

/// What the 志愿 tab shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VolunteerTab {
    pub signed_in: bool,
    pub posts: Vec<crate::models::Post>,
    /// The next seven days' shifts, with my status on each.
    pub shifts: Vec<crate::models::Shift>,
    /// My sign-ups that are not over yet.
    pub mine: Vec<crate::models::MyShift>,
    pub stars: crate::models::VolunteerStars,
}

#[server(prefix = "/api/fn", endpoint = "volunteer")]
pub async fn volunteer_data() -> Result<VolunteerTab, AppError> {
    use crate::backend::volunteer;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::current_user().await?;
            let now = state.clock.now_ms();
            let query = volunteer::ShiftQuery {
                post_id: None,
                from: Some(state.clock.rfc3339(now)),
                to: Some(state.clock.rfc3339(now + 7 * crate::domain::report::DAY_MS)),
            };
            let paging = Paging {
                page: 1,
                per_page: 100,
            };
            let shifts = volunteer::list_shifts(&state, query, paging, me.as_ref()).await?;
            let mine = match &me {
                Some(u) => volunteer::my_shifts(&state, u, paging, true).await?.items,
                None => vec![],
            };
            Ok(VolunteerTab {
                signed_in: me.is_some(),
                posts: volunteer::list_posts(&state).await?,
                shifts: shifts.items,
                mine,
                stars: volunteer::stars(&state, None).await?,
            })
        }
        .await,
    )
}

/// Sign up (or join the waitlist) from the 志愿 tab.
#[server(prefix = "/api/fn", endpoint = "shift_signup")]
pub async fn shift_signup(shift_id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::signup(&ssr::state()?, &me, shift_id).await?;
            leptos_axum::redirect("/volunteer");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "shift_cancel")]
pub async fn shift_cancel(shift_id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::cancel(&ssr::state()?, &me, shift_id).await?;
            leptos_axum::redirect("/volunteer");
            Ok(())
        }
        .await,
    )
}
