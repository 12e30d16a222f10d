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
