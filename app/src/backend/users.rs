//! Accounts: register, login, logout, profile and roles.

use serde::Deserialize;

pub use crate::models::UserFilter;

use super::auth::{CurrentUser, hash_password};
use super::db::{Param, Where, fetch_page, is_foreign_key_violation};
use super::identity::codes;
use super::{AppState, audit};
use crate::domain::identity::{self, CodePurpose, SmsCode};
use crate::domain::{
    DisplayName, Fields, Level, Password, Phone, Role, Roles, UserSearch, clean_text,
};
use crate::error::AppError;
use crate::models::User;

pub use super::auth::{LOCKOUT_FAILURES, LOCKOUT_WINDOW_MS};
use super::auth::{clear_lockout, password_matches};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegisterInput {
    pub phone: String,
    pub password: String,
    pub display_name: String,
    /// The code sent for `register` (`POST /api/v1/auth/sms-code`).
    #[serde(default)]
    pub sms_code: Option<String>,
    /// `true`: the person accepts the current privacy policy.
    #[serde(default)]
    pub agree: Option<bool>,
}

/// A password, or a code sent for `login` instead.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoginInput {
    pub phone: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub sms_code: Option<String>,
}

/// `POST /api/v1/auth/reset-password`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResetInput {
    pub phone: String,
    pub sms_code: String,
    pub new_password: String,
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub phone: String,
    pub password_hash: String,
    pub display_name: String,
    pub roles: String,
    pub unit_id: Option<i64>,
    pub token_version: i64,
    pub points_balance: i64,
    pub points_lifetime: i64,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub privacy_version: Option<String>,
    pub show_name: i64,
}

const USER_COLUMNS: &str = "id, phone, password_hash, display_name, roles, unit_id, token_version, \
                            points_balance, points_lifetime, created_at, disabled_at, disabled_reason, \
                            privacy_version, show_name";

impl UserRow {
    pub fn to_user(&self, state: &AppState) -> User {
        let level = Level::for_lifetime(self.points_lifetime);
        User {
            id: self.id,
            display_name: self.display_name.clone(),
            phone_masked: Phone::parse(&self.phone)
                .map(|p| p.masked())
                .unwrap_or_default(),
            roles: Roles::from_csv(&self.roles).iter().collect(),
            unit_id: self.unit_id,
            points_balance: self.points_balance,
            points_lifetime: self.points_lifetime,
            level: format!("{level:?}").to_lowercase(),
            level_name: level.name().to_owned(),
            created_at: state.clock.rfc3339(self.created_at),
            disabled: self.disabled_at.is_some(),
            disabled_reason: None,
            privacy_version: self.privacy_version.clone(),
            show_name: self.show_name != 0,
        }
    }

    /// The view an admin gets: with the reason an account was disabled.
    pub fn to_admin_view(&self, state: &AppState) -> User {
        User {
            disabled_reason: self.disabled_reason.clone(),
            ..self.to_user(state)
        }
    }
}

pub async fn find(state: &AppState, id: i64) -> Result<Option<UserRow>, AppError> {
    Ok(
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?,
    )
}

pub async fn find_by_phone(state: &AppState, phone: &Phone) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE phone = $1"
    ))
    .bind(phone.as_str())
    .fetch_optional(&state.db.pool)
    .await?)
}

/// A login: the token and the `Set-Cookie` lifetime that goes with it.
pub struct Login {
    pub user: User,
    pub token: String,
    pub max_age_secs: i64,
}

fn issue(state: &AppState, row: &UserRow) -> Login {
    let ttl = state.config.token_ttl_secs;
    let (token, _) = state
        .auth
        .issue(row.id, row.token_version, state.clock.now_ms(), ttl);
    Login {
        user: row.to_user(state),
        token,
        max_age_secs: ttl,
    }
}

/// Creates an account with the given roles (registration gives `citizen`;
/// the CLI and seeds may give more).
pub async fn create(
    state: &AppState,
    phone: &Phone,
    password: &Password,
    name: &DisplayName,
    roles: &Roles,
    unit_id: Option<i64>,
) -> Result<UserRow, AppError> {
    insert(state, phone, password, name, roles, unit_id, None).await
}

/// The account row and, for a person who registered, their consent to the
/// policy version `consent` (with the time), in one transaction.
async fn insert(
    state: &AppState,
    phone: &Phone,
    password: &Password,
    name: &DisplayName,
    roles: &Roles,
    unit_id: Option<i64>,
    consent: Option<&str>,
) -> Result<UserRow, AppError> {
    if roles.has(Role::UnitStaff) && unit_id.is_none() {
        return Err(AppError::field("unit_id", "责任单位人员必须指定所属单位"));
    }
    let hash = hash_password(password).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let inserted: Result<Option<UserRow>, sqlx::Error> = sqlx::query_as(&format!(
        "INSERT INTO users (phone, password_hash, display_name, roles, unit_id, created_at, privacy_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (phone) DO NOTHING RETURNING {USER_COLUMNS}"
    ))
    .bind(phone.as_str())
    .bind(&hash)
    .bind(name.as_str())
    .bind(roles.to_csv())
    .bind(unit_id)
    .bind(now)
    .bind(consent)
    .fetch_optional(&mut *tx)
    .await;
    let row = written(inserted, AppError::PhoneTaken)?;
    if let Some(version) = consent {
        sqlx::query("INSERT INTO consents (user_id, version, accepted_at) VALUES ($1, $2, $3)")
            .bind(row.id)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// The row an insert or update of a person returned: `missing` when none
/// was written, 422 on `unit_id` when the unit does not exist.
fn written(
    result: Result<Option<UserRow>, sqlx::Error>,
    missing: AppError,
) -> Result<UserRow, AppError> {
    match result {
        Ok(Some(row)) => Ok(row),
        Ok(None) => Err(missing),
        Err(e) if is_foreign_key_violation(&e) => Err(AppError::field("unit_id", "单位不存在")),
        Err(e) => Err(e.into()),
    }
}

/// A person registers: a verified number (the code sent for `register`,
/// unless `ZHUOMU_VERIFY_PHONES=off`), a password, a nickname, and consent
/// to the current privacy policy. Every field is checked before the code is
/// used, so a typo does not cost the code.
pub async fn register(state: &AppState, input: RegisterInput) -> Result<Login, AppError> {
    let mut f = Fields::new();
    let phone = f.check("phone", Phone::parse(&input.phone));
    let password = f.check("password", Password::parse(&input.password));
    let name = f.check("display_name", DisplayName::parse(&input.display_name));
    let code = if state.config.verify_phones {
        f.check(
            "sms_code",
            SmsCode::parse(input.sms_code.as_deref().unwrap_or_default()).map(Some),
        )
    } else {
        Some(None)
    };
    f.check("agree", identity::consent(input.agree));
    let (phone, password, name, code) = f.done((phone, password, name, code))?;
    if let Some(code) = code {
        codes::consume(state, &phone, CodePurpose::Register, &code).await?;
    }
    let version = state.config.policy.version.clone();
    let row = insert(
        state,
        &phone,
        &password,
        &name,
        &Roles::citizen(),
        None,
        Some(&version),
    )
    .await?;
    tracing::info!(user_id = row.id, "registered");
    Ok(issue(state, &row))
}

/// Signs in with a code sent for `login`: the way in when the password is
/// forgotten or locked by someone else's guesses (it clears that lockout).
async fn login_by_code(state: &AppState, phone: &Phone, code: &str) -> Result<Login, AppError> {
    let code = SmsCode::parse(code).map_err(|e| AppError::field("sms_code", e))?;
    codes::consume(state, phone, CodePurpose::Login, &code).await?;
    let row = find_by_phone(state, phone)
        .await?
        .ok_or(AppError::InvalidCode)?;
    if row.disabled_at.is_some() {
        return Err(disabled());
    }
    clear_lockout(state, phone).await?;
    Ok(issue(state, &row))
}

fn disabled() -> AppError {
    AppError::Refused {
        code: "account_disabled".into(),
        message: "该账号已被停用，如有疑问请联系创城办".into(),
    }
}

/// A new password with a code sent for `reset`: every earlier token of the
/// account is refused from then on (its version goes up), and the
/// password lockout is cleared.
pub async fn reset_password(state: &AppState, input: ResetInput) -> Result<(), AppError> {
    let mut f = Fields::new();
    let phone = f.check("phone", Phone::parse(&input.phone));
    let code = f.check("sms_code", SmsCode::parse(&input.sms_code));
    let password = f.check("new_password", Password::parse(&input.new_password));
    let (phone, code, password) = f.done((phone, code, password))?;
    codes::consume(state, &phone, CodePurpose::Reset, &code).await?;
    let hash = hash_password(&password).await?;
    let mut tx = state.db.begin_write().await?;
    let updated: Option<(i64,)> = sqlx::query_as(
        "UPDATE users SET password_hash = $1, token_version = token_version + 1 \
         WHERE phone = $2 RETURNING id",
    )
    .bind(&hash)
    .bind(phone.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) = updated.ok_or(AppError::InvalidCode)?;
    sqlx::query("DELETE FROM login_attempts WHERE phone = $1")
        .bind(phone.as_str())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        state.clock.now_ms(),
        Some(id),
        "user.reset_password",
        "user",
        Some(id),
        "",
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = id, "password reset by SMS code");
    Ok(())
}

pub async fn login(state: &AppState, input: LoginInput) -> Result<Login, AppError> {
    if let Some(code) = input.sms_code.as_deref().filter(|c| !c.trim().is_empty()) {
        let phone = Phone::parse(&input.phone).map_err(|e| AppError::field("phone", e))?;
        return login_by_code(state, &phone, code).await;
    }
    let mut f = Fields::new();
    let phone = f.check("phone", Phone::parse(&input.phone));
    if input.password.is_empty() {
        f.push("password", "请输入密码");
    }
    let phone = f.done(phone)?;

    let row = find_by_phone(state, &phone).await?;
    let ok = password_matches(
        state,
        &phone,
        input.password,
        row.as_ref().map(|r| r.password_hash.clone()),
    )
    .await?;
    match row {
        Some(row) if ok && row.disabled_at.is_some() => Err(disabled()),
        Some(row) if ok => Ok(issue(state, &row)),
        _ => Err(AppError::InvalidCredentials),
    }
}

/// Puts this token on the deny list until it would have expired.
pub async fn logout(state: &AppState, user: &CurrentUser) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind(&user.jti)
    .bind(user.exp * 1000)
    .execute(&mut *tx)
    .await?;
    // Entries past their expiry can go: the token is refused for its age.
    sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn me(state: &AppState, user: &CurrentUser) -> Result<User, AppError> {
    let row = find(state, user.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(row.to_user(state))
}

/// `PATCH /api/v1/me`: what the person may correct about themselves.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    /// A new nickname (the rules of registration).
    #[serde(default)]
    pub display_name: Option<String>,
    /// `true`: the points boards show my nickname (else 市民张*).
    #[serde(default)]
    pub show_name: Option<bool>,
}

/// The person corrects their nickname or chooses whether the boards show it.
pub async fn update_profile(
    state: &AppState,
    me: &CurrentUser,
    input: ProfileInput,
) -> Result<User, AppError> {
    let name = input
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|e| AppError::field("display_name", e))?;
    let mut tx = state.db.begin_write().await?;
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "UPDATE users SET display_name = COALESCE($1, display_name), show_name = COALESCE($2, show_name) \
         WHERE id = $3 AND deleted_at IS NULL RETURNING {USER_COLUMNS}"
    ))
    .bind(name.map(String::from))
    .bind(input.show_name.map(i64::from))
    .bind(me.id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.ok_or(AppError::Unauthenticated)?.to_user(state))
}

/// `POST /api/v1/me/password`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PasswordInput {
    pub old_password: String,
    pub new_password: String,
}

/// The person changes their password: every earlier token (other phones
/// included) is refused from then on, and this one is replaced.
pub async fn change_password(
    state: &AppState,
    me: &CurrentUser,
    input: PasswordInput,
) -> Result<Login, AppError> {
    let new =
        Password::parse(&input.new_password).map_err(|e| AppError::field("new_password", e))?;
    let row = find(state, me.id).await?.ok_or(AppError::Unauthenticated)?;
    let phone = Phone::parse(&row.phone).map_err(|_| AppError::Unauthenticated)?;
    if !password_matches(
        state,
        &phone,
        input.old_password,
        Some(row.password_hash.clone()),
    )
    .await?
    {
        return Err(AppError::field("old_password", "原密码不正确"));
    }
    let hash = hash_password(&new).await?;
    let mut tx = state.db.begin_write().await?;
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "UPDATE users SET password_hash = $1, token_version = token_version + 1 \
         WHERE id = $2 AND password_hash = $3 RETURNING {USER_COLUMNS}"
    ))
    .bind(&hash)
    .bind(me.id)
    .bind(&row.password_hash)
    .fetch_optional(&mut *tx)
    .await?;
    // Changed meanwhile (another change, a reset): this proof is stale.
    let row = row.ok_or_else(|| AppError::field("old_password", "原密码不正确"))?;
    audit::record(
        &mut tx,
        state.clock.now_ms(),
        Some(me.id),
        "user.change_password",
        "user",
        Some(me.id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(issue(state, &row))
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SetRolesInput {
    pub roles: Vec<String>,
    pub unit_id: Option<i64>,
}

/// Refuses (409 `last_admin`) when `user_id` is an admin and no other
/// working admin would be left once they stop being one. The admins' rows are
/// locked first, so two admins demoting or disabling each other at the same
/// moment cannot both pass (PostgreSQL; SQLite writes one at a time).
pub(crate) async fn keeps_an_admin(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
) -> Result<(), AppError> {
    const ADMIN: &str = "(',' || roles || ',') LIKE '%,admin,%'";
    sqlx::query(&format!(
        "UPDATE users SET token_version = token_version WHERE {ADMIN}"
    ))
    .execute(&mut **tx)
    .await?;
    let (target_admin, other_admins): (i64, i64) = sqlx::query_as(&format!(
        "SELECT (SELECT COUNT(*) FROM users WHERE id = $1 AND {ADMIN}), \
                (SELECT COUNT(*) FROM users WHERE id <> $1 AND disabled_at IS NULL AND {ADMIN})"
    ))
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    if target_admin > 0 && other_admins == 0 {
        return Err(AppError::conflict("last_admin", "至少要保留一名管理员"));
    }
    Ok(())
}

/// An admin sets a person's roles. When they change, the person's token
/// version goes up, so tokens issued before stop working on every server.
pub async fn set_roles(
    state: &AppState,
    actor: &CurrentUser,
    user_id: i64,
    input: SetRolesInput,
) -> Result<User, AppError> {
    actor.require_admin()?;
    let roles = Roles::parse_list(input.roles.iter().map(String::as_str))
        .map_err(|e| AppError::field("roles", e))?;
    let unit_id = if roles.has(Role::UnitStaff) {
        Some(
            input
                .unit_id
                .ok_or_else(|| AppError::field("unit_id", "责任单位人员必须指定所属单位"))?,
        )
    } else {
        None
    };
    let mut tx = state.db.begin_write().await?;
    if !roles.has(Role::Admin) {
        keeps_an_admin(&mut tx, user_id).await?;
    }
    // Only a real change ends the person's sessions.
    let updated: Result<Option<UserRow>, sqlx::Error> = sqlx::query_as(&format!(
        "UPDATE users SET roles = $1, unit_id = $2, token_version = CASE \
           WHEN roles = $1 AND COALESCE(unit_id, 0) = COALESCE($2, 0) THEN token_version \
           ELSE token_version + 1 END \
         WHERE id = $3 RETURNING {USER_COLUMNS}"
    ))
    .bind(roles.to_csv())
    .bind(unit_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await;
    let row = written(updated, AppError::NotFound)?;
    audit::record(
        &mut tx,
        state.clock.now_ms(),
        Some(actor.id),
        "user.roles",
        "user",
        Some(user_id),
        &format!(
            "roles={} unit_id={}",
            roles.to_csv(),
            unit_id.map_or("-".into(), |u| u.to_string())
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, roles = %roles.to_csv(), "roles changed");
    Ok(row.to_user(state))
}

/// The admin's user list, newest first: found by name, by whole, masked
/// or partial number (`UserSearch`), by role, or disabled.
pub async fn list(
    state: &AppState,
    actor: &CurrentUser,
    filter: &UserFilter,
    paging: crate::domain::Paging,
) -> Result<crate::models::Page<User>, AppError> {
    actor.require_admin()?;
    let search = UserSearch::parse(filter.q.as_deref().unwrap_or_default())
        .map_err(|e| AppError::field("q", e))?;
    let role = match filter
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => Some(Role::parse(r).map_err(|e| AppError::field("role", e))?),
        None => None,
    };
    let mut w = Where::new();
    match search {
        Some(UserSearch::Phone(p)) => {
            w.and("phone LIKE ?", [Param::Text(p)]);
        }
        Some(UserSearch::Name(n)) => {
            w.and(
                "LOWER(display_name) LIKE LOWER(?) ESCAPE '\\'",
                [Param::Text(n)],
            );
        }
        None => {}
    }
    if let Some(role) = role {
        w.and(
            "(',' || roles || ',') LIKE ?",
            [Param::Text(format!("%,{},%", role.as_str()))],
        );
    }
    if filter.disabled == Some(true) {
        w.and("disabled_at IS NOT NULL", []);
    }
    let (rows, total): (Vec<UserRow>, i64) = fetch_page(
        &state.db.pool,
        &format!("SELECT {USER_COLUMNS} FROM users"),
        "users",
        &w,
        "id DESC",
        paging,
    )
    .await?;
    Ok(crate::models::Page::of(
        rows.iter().map(|r| r.to_admin_view(state)).collect(),
        total,
        paging,
    ))
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DisableInput {
    /// Why (kept for admins and in the audit log), 2–200 字.
    pub reason: String,
}

/// An admin disables an account: it can no longer log in, and its tokens stop
/// working on every server (the token version goes up). Not one's own, and
/// never the last admin.
pub async fn disable(
    state: &AppState,
    actor: &CurrentUser,
    user_id: i64,
    input: DisableInput,
) -> Result<User, AppError> {
    actor.require_admin()?;
    let reason = clean_text(&input.reason, 200, "请填写停用原因")
        .map_err(|e| AppError::field("reason", e))?;
    if actor.id == user_id {
        return Err(AppError::conflict("own_account", "不能停用自己的账号"));
    }
    let mut tx = state.db.begin_write().await?;
    keeps_an_admin(&mut tx, user_id).await?;
    let now = state.clock.now_ms();
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "UPDATE users SET disabled_at = COALESCE(disabled_at, $1), disabled_reason = $2, \
           token_version = CASE WHEN disabled_at IS NULL THEN token_version + 1 ELSE token_version END \
         WHERE id = $3 RETURNING {USER_COLUMNS}"
    ))
    .bind(now)
    .bind(&reason)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let detail = format!("reason={reason}");
    status_changed(state, tx, actor, row, "user.disable", &detail).await
}

/// An admin enables a disabled account again; the person logs in anew.
pub async fn enable(state: &AppState, actor: &CurrentUser, user_id: i64) -> Result<User, AppError> {
    actor.require_admin()?;
    let mut tx = state.db.begin_write().await?;
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "UPDATE users SET disabled_at = NULL, disabled_reason = NULL WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    status_changed(state, tx, actor, row, "user.enable", "").await
}

/// The end of a disable or enable: 404 when nobody was updated, else the
/// audit entry, the commit and the admin's view of the person.
async fn status_changed(
    state: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    actor: &CurrentUser,
    row: Option<UserRow>,
    action: &str,
    detail: &str,
) -> Result<User, AppError> {
    let row = row.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        state.clock.now_ms(),
        Some(actor.id),
        action,
        "user",
        Some(row.id),
        detail,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        actor = actor.id,
        user_id = row.id,
        action,
        "account status changed"
    );
    Ok(row.to_admin_view(state))
}
