//! Accounts: register, login, logout, me, the large-font switch, and the
//! admin consoles for people, roles and Open311 keys.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// Creates an account, signs in with a cookie and goes to 我的. `agree` is
/// the consent checkbox (`on` when ticked).
#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    phone: String,
    password: String,
    display_name: String,
    sms_code: Option<String>,
    agree: Option<String>,
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
                    sms_code,
                    agree: Some(matches!(agree.as_deref(), Some("on" | "true"))),
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
    #[server(default)] password: String,
    sms_code: Option<String>,
    next: Option<String>,
) -> Result<User, AppError> {
    use crate::backend::{auth, users};
    ssr::finish(
        async {
            let state = ssr::state()?;
            let login = users::login(
                &state,
                users::LoginInput {
                    phone,
                    password,
                    sms_code,
                },
            )
            .await?;
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

/// Where a page asking for a code lives: a plain form post comes back
/// there with the number filled in and `sent=` (the code's purpose).
pub fn code_page(purpose: &str) -> &'static str {
    match purpose {
        "login" => "/login?by=code",
        "reset" => "/reset",
        "delete" => "/me/privacy",
        _ => "/register",
    }
}

/// Sends an SMS code (the "获取验证码" button of the register, code-login,
/// reset and delete forms).
/// For `delete` the code goes to the signed-in person's own number, so the
/// page never needs to hold the whole number.
#[server(prefix = "/api/fn", endpoint = "sms_code")]
pub async fn send_code(#[server(default)] phone: String, purpose: String) -> Result<(), AppError> {
    use crate::backend::identity::codes;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let phone = if purpose.trim() == "delete" {
                let me = ssr::require_user().await?;
                crate::backend::users::find(&state, me.id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?
                    .phone
            } else {
                phone
            };
            let parts = ssr::parts()?;
            let ip = crate::backend::auth::client_ip(
                state.config.trust_proxy,
                &parts.headers,
                &parts.extensions,
            );
            let input = codes::CodeRequest {
                phone: phone.clone(),
                purpose: purpose.clone(),
            };
            codes::request(&state, &input, ip).await?;
            let number =
                crate::domain::Phone::parse(&phone).map_err(|e| AppError::field("phone", e))?;
            let page = code_page(&purpose);
            if purpose.trim() == "delete" {
                leptos_axum::redirect(&format!("{page}?sent=delete"));
            } else {
                let glue = if page.contains('?') { '&' } else { '?' };
                leptos_axum::redirect(&format!(
                    "{page}{glue}phone={}&sent={purpose}",
                    number.as_str()
                ));
            }
            Ok(())
        }
        .await,
    )
}

/// 忘记密码: a new password with a code; then on to login.
#[server(prefix = "/api/fn", endpoint = "reset_password")]
pub async fn reset_password(
    phone: String,
    sms_code: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            let state = ssr::state()?;
            users::reset_password(
                &state,
                users::ResetInput {
                    phone,
                    sms_code,
                    new_password,
                },
            )
            .await?;
            leptos_axum::redirect("/login?reset=1");
            Ok(())
        }
        .await,
    )
}

/// 隐私与账号: correct the nickname, choose whether the boards show it.
#[server(prefix = "/api/fn", endpoint = "update_profile")]
pub async fn update_profile(
    display_name: String,
    show_name: Option<String>,
) -> Result<User, AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let user = users::update_profile(
                &ssr::state()?,
                &me,
                users::ProfileInput {
                    display_name: Some(display_name),
                    show_name: Some(matches!(show_name.as_deref(), Some("on" | "true"))),
                },
            )
            .await?;
            leptos_axum::redirect("/me/privacy?saved=profile");
            Ok(user)
        }
        .await,
    )
}

/// 隐私与账号: a new password; other devices are signed out, this one gets
/// a fresh session.
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(old_password: String, new_password: String) -> Result<(), AppError> {
    use crate::backend::{auth, users};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let login = users::change_password(
                &ssr::state()?,
                &me,
                users::PasswordInput {
                    old_password,
                    new_password,
                },
            )
            .await?;
            ssr::set_cookie(auth::session_cookie_header(
                &login.token,
                login.max_age_secs,
                ssr::https(),
            ));
            leptos_axum::redirect("/me/privacy?saved=password");
            Ok(())
        }
        .await,
    )
}

/// The session cookie cleared, and the site's stored data (logout, delete).
#[cfg(feature = "ssr")]
fn signed_out() {
    use crate::backend::auth;
    ssr::set_cookie(auth::clear_session_cookie_header(ssr::https()));
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.insert_header(
            http::HeaderName::from_static("clear-site-data"),
            http::HeaderValue::from_static(auth::CLEAR_SITE_DATA),
        );
    }
}

/// 注销账号, with the password or a code sent for `delete`; then signed out.
#[server(prefix = "/api/fn", endpoint = "delete_account")]
pub async fn delete_account(
    password: Option<String>,
    sms_code: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::identity::erase;
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            erase::erase(
                &ssr::state()?,
                &me,
                erase::EraseInput { password, sms_code },
            )
            .await?;
            signed_out();
            leptos_axum::redirect("/?deleted=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::users;
    ssr::finish(
        async {
            let state = ssr::state()?;
            if let Some(user) = ssr::current_user().await? {
                users::logout(&state, &user).await?;
            }
            signed_out();
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

/// The privacy policy page: its version, date and text (HTML made from the
/// city's Markdown, markup in it shown as text).
#[server(prefix = "/api/fn", endpoint = "privacy")]
pub async fn privacy_policy() -> Result<PolicyPage, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let p = &state.config.policy;
            Ok(PolicyPage {
                version: p.version.clone(),
                updated_at: p.updated_at.clone(),
                html: p.html(),
            })
        }
        .await,
    )
}

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
            let (info, key) = open311::create_key(&ssr::state()?, crate::backend::auth::Actor::Person(&actor), &name).await?;
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
            let unit_id = ssr::form_number("unit_id", unit_id.as_deref(), "请选择单位")?;
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
