//! 积分: my points, leaderboards, adjustments and the earning rules.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

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

#[server(prefix = "/api/fn", endpoint = "leaderboard")]
pub async fn leaderboard_data(
    board: Option<String>,
    period: Option<String>,
) -> Result<Vec<crate::models::LeaderRow>, AppError> {
    ssr::finish(
        async {
            crate::backend::boards::leaderboard(
                &ssr::state()?,
                board.as_deref().unwrap_or("points"),
                period.as_deref().unwrap_or("month"),
            )
            .await
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
            let delta = ssr::required_number("delta", &delta, "请填写数字", "请填写积分变动")?;
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
                let n = ssr::required_number(key, &v, "请填写数字", "请填写数字")?;
                input.insert(key.to_owned(), n);
            }
            crate::backend::points::set_rules(&ssr::state()?, &me, input).await?;
            leptos_axum::redirect("/admin/points?rules=1");
            Ok(())
        }
        .await,
    )
}
