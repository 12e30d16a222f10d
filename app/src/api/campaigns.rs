//! 好人 campaigns: pages, votes, nominations, results, the 红榜 and the
//! admin and moderation consoles.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

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
            );
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
                None => {
                    campaigns::create(&state, crate::backend::auth::Actor::Person(&me), input)
                        .await?
                }
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
