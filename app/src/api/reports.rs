//! 随手拍: the form, the public list, one report, my reports, follows,
//! feedback, and the moderation and unit consoles.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

use super::CityMap;
#[cfg(feature = "ssr")]
use super::{city::city_map, ssr};

/// What the 随手拍 form needs: whether someone is signed in, the categories
/// and the map of the city.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportFormInfo {
    pub signed_in: bool,
    pub categories: Vec<crate::models::Category>,
    pub map: CityMap,
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
    before_id: Option<i64>,
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
                before_id,
            };
            Ok(ReportBrowse {
                page: reports::list_public(&state, query, paging, viewer.as_ref()).await?,
                categories: city::list_categories(&state).await?,
                map: city_map(&state).await?,
                hot: (*reports::hot(&state).await?).clone(),
            })
        }
        .await,
    )
}

/// One report's page: the report as the caller may see it, the map around
/// it, and what the caller may do to it besides following.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportPageData {
    pub report: crate::models::Report,
    pub map: CityMap,
    /// A moderator: 督办.
    pub can_urge: bool,
    /// Staff of the assigned unit: 退回.
    pub own_unit: bool,
}

#[server(prefix = "/api/fn", endpoint = "report")]
pub async fn get_report(id: i64) -> Result<ReportPageData, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let viewer = ssr::current_user().await?;
            let report = crate::backend::reports::get(&state, id, viewer.as_ref()).await?;
            let can_urge = viewer.as_ref().is_some_and(|v| v.roles.can_moderate());
            let own_unit = viewer.as_ref().is_some_and(|v| {
                v.roles.has(crate::domain::Role::UnitStaff)
                    && v.unit_id.is_some()
                    && v.unit_id == report.unit_id
            });
            Ok(ReportPageData {
                report,
                map: city_map(&state).await?,
                can_urge,
                own_unit,
            })
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
    rating: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::reports::{self, FeedbackInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let rating = ssr::form_number("rating", rating.as_deref(), "请选择1到5星")?;
            let input = FeedbackInput {
                verdict,
                note,
                rating,
            };
            reports::feedback(&ssr::state()?, &me, id, input).await?;
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
    /// A returned report: the unit's reason and its record of returns.
    pub return_reason: Option<String>,
    pub returns: Option<crate::models::ReturnHistory>,
    /// A pending report: open reports of its category within 100 m, for a
    /// one-tap merge.
    pub nearby: Vec<crate::models::Report>,
    /// How long it has waited (since filed, or since returned).
    pub waited_ms: i64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    pub total: i64,
    pub units: Vec<crate::models::Unit>,
    pub categories: Vec<crate::models::Category>,
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
                use crate::domain::ReportStatus as S;
                let suggested_unit = if matches!(report.status, S::PendingReview | S::Returned) {
                    reports::suggested_unit(&state, report.id).await?
                } else {
                    None
                };
                let (return_reason, returns) = match (report.status, report.unit_id) {
                    (S::Returned, Some(unit)) => (
                        report
                            .timeline
                            .iter()
                            .rev()
                            .find(|e| e.action == "returned")
                            .map(|e| e.note.clone()),
                        Some(reports::return_history(&state, &me, unit).await?),
                    ),
                    _ => (None, None),
                };
                let nearby = if report.status == S::PendingReview {
                    reports::nearby(
                        &state,
                        &me,
                        Some(report.category_id),
                        Some(report.lat),
                        Some(report.lon),
                    )
                    .await?
                } else {
                    vec![]
                };
                let since = if report.status == S::PendingReview {
                    &report.created_at
                } else {
                    &report.updated_at
                };
                let waited_ms = chrono::DateTime::parse_from_rfc3339(since)
                    .map(|t| state.clock.now_ms() - t.timestamp_millis())
                    .unwrap_or(0);
                items.push(QueueItem {
                    report,
                    suggested_unit,
                    return_reason,
                    returns,
                    nearby,
                    waited_ms,
                });
            }
            Ok(Queue {
                items,
                total: page.total,
                units: city::list_units(&state).await?,
                categories: city::list_categories(&state).await?,
            })
        }
        .await,
    )
}

/// 审核 from the web console.
#[server(prefix = "/api/fn", endpoint = "review")]
pub async fn review_report(
    id: i64,
    decision: String,
    reason: Option<String>,
    unit_id: Option<String>,
    deadline_days: Option<String>,
    category_id: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::reports::{self, ReviewInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = ReviewInput {
                decision,
                reason,
                unit_id: ssr::form_number("unit_id", unit_id.as_deref(), "请填写数字")?,
                deadline_days: ssr::form_number(
                    "deadline_days",
                    deadline_days.as_deref(),
                    "请填写数字",
                )?,
                category_id: ssr::form_number("category_id", category_id.as_deref(), "请选择类别")?,
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
            let into_id =
                ssr::required_number("into_id", &into_id, "请填写数字", "请填写原报告编号")?;
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

/// What waits for me (the home page's to-do strip), or `None` when nobody
/// is signed in.
#[server(prefix = "/api/fn", endpoint = "todo")]
pub async fn my_todo() -> Result<Option<crate::models::ToDo>, AppError> {
    ssr::finish(
        async {
            let Some(me) = ssr::current_user().await? else {
                return Ok(None);
            };
            let state = ssr::state()?;
            Ok(Some(crate::models::ToDo {
                unread: crate::backend::notify::unread_count(&state, me.id).await?,
                reports: crate::backend::reports::awaiting_my_word(&state, &me, 3).await?,
            }))
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
