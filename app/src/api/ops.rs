//! 创城信箱 and the audit log.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

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
                ssr::form_number(field, v.as_deref(), "应为数字")
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
