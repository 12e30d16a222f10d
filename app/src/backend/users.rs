//! Accounts: register, login, logout, profile and roles.

use serde::Deserialize;

use super::auth::{CurrentUser, hash_password, verify_password};
use super::db::is_foreign_key_violation;
use super::{AppState, audit};
use crate::domain::{DisplayName, Fields, Level, Password, Phone, Role, Roles};
use crate::error::AppError;
use crate::models::User;

/// Login attempts per phone within `LOCKOUT_WINDOW_MS` (counting from the
/// first) that may fail before the next one is refused with 429.
pub const LOCKOUT_FAILURES: i64 = 5;
pub const LOCKOUT_WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegisterInput {
    pub phone: String,
    pub password: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoginInput {
    pub phone: String,
    pub password: String,
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
}

const USER_COLUMNS: &str = "id, phone, password_hash, display_name, roles, unit_id, token_version, \
                            points_balance, points_lifetime, created_at";

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
    if roles.has(Role::UnitStaff) && unit_id.is_none() {
        return Err(AppError::field("unit_id", "责任单位人员必须指定所属单位"));
    }
    let hash = hash_password(password).await?;
    let now = state.clock.now_ms();
    let inserted: Result<Option<UserRow>, sqlx::Error> = sqlx::query_as(&format!(
        "INSERT INTO users (phone, password_hash, display_name, roles, unit_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (phone) DO NOTHING RETURNING {USER_COLUMNS}"
    ))
    .bind(phone.as_str())
    .bind(&hash)
    .bind(name.as_str())
    .bind(roles.to_csv())
    .bind(unit_id)
    .bind(now)
    .fetch_optional(&state.db.pool)
    .await;
    match inserted {
        Ok(Some(row)) => Ok(row),
        Ok(None) => Err(AppError::PhoneTaken),
        Err(e) if is_foreign_key_violation(&e) => Err(AppError::field("unit_id", "单位不存在")),
        Err(e) => Err(e.into()),
    }
}

pub async fn register(state: &AppState, input: RegisterInput) -> Result<Login, AppError> {
    let mut f = Fields::new();
    let phone = f.check("phone", Phone::parse(&input.phone));
    let password = f.check("password", Password::parse(&input.password));
    let name = f.check("display_name", DisplayName::parse(&input.display_name));
    f.finish()?;
    let (phone, password, name) = (phone.unwrap(), password.unwrap(), name.unwrap());
    let row = create(state, &phone, &password, &name, &Roles::citizen(), None).await?;
    tracing::info!(user_id = row.id, "registered");
    Ok(issue(state, &row))
}

pub async fn login(state: &AppState, input: LoginInput) -> Result<Login, AppError> {
    let mut f = Fields::new();
    let phone = f.check("phone", Phone::parse(&input.phone));
    if input.password.is_empty() {
        f.push("password", "请输入密码");
    }
    f.finish()?;
    let phone = phone.unwrap();
    let now = state.clock.now_ms();

    // Count this attempt first, atomically; only the first
    // LOCKOUT_FAILURES attempts of a window reach the password check.
    let (attempts,): (i64,) = sqlx::query_as(
        "INSERT INTO login_attempts (phone, failures, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (phone) DO UPDATE SET \
           failures = CASE WHEN login_attempts.window_start < $3 THEN 1 ELSE login_attempts.failures + 1 END, \
           window_start = CASE WHEN login_attempts.window_start < $3 THEN $2 ELSE login_attempts.window_start END \
         RETURNING failures",
    )
    .bind(phone.as_str())
    .bind(now)
    .bind(now - LOCKOUT_WINDOW_MS)
    .fetch_one(&state.db.pool)
    .await?;
    if attempts > LOCKOUT_FAILURES {
        return Err(AppError::TooManyAttempts);
    }

    let row = find_by_phone(state, &phone).await?;
    let ok = verify_password(
        input.password,
        row.as_ref().map(|r| r.password_hash.clone()),
    )
    .await;
    match row {
        Some(row) if ok => {
            sqlx::query("DELETE FROM login_attempts WHERE phone = $1")
                .bind(phone.as_str())
                .execute(&state.db.pool)
                .await?;
            Ok(issue(state, &row))
        }
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

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SetRolesInput {
    pub roles: Vec<String>,
    pub unit_id: Option<i64>,
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
        // The city must keep at least one admin.
        let (target_admin, other_admins): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM users WHERE id = $1 AND (',' || roles || ',') LIKE '%,admin,%'), \
                    (SELECT COUNT(*) FROM users WHERE id <> $1 AND (',' || roles || ',') LIKE '%,admin,%')",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if target_admin > 0 && other_admins == 0 {
            return Err(AppError::conflict("last_admin", "至少要保留一名管理员"));
        }
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
    let row = match updated {
        Ok(Some(row)) => row,
        Ok(None) => return Err(AppError::NotFound),
        Err(e) if is_foreign_key_violation(&e) => {
            return Err(AppError::field("unit_id", "单位不存在"));
        }
        Err(e) => return Err(e.into()),
    };
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

/// The admin's user list, newest first, optionally filtered by a phone number.
pub async fn list(
    state: &AppState,
    actor: &CurrentUser,
    phone: Option<&str>,
    paging: crate::domain::Paging,
) -> Result<crate::models::Page<User>, AppError> {
    actor.require_admin()?;
    let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(Phone::parse(p).map_err(|e| AppError::field("phone", e))?),
        None => None,
    };
    let filter = phone.as_ref().map(|p| p.as_str().to_owned());
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE (CAST($1 AS TEXT) IS NULL OR phone = $1)")
            .bind(&filter)
            .fetch_one(&state.db.pool)
            .await?;
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE (CAST($1 AS TEXT) IS NULL OR phone = $1) ORDER BY id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(&filter)
    .bind(paging.limit())
    .bind(paging.offset())
    .fetch_all(&state.db.pool)
    .await?;
    Ok(crate::models::Page::of(
        rows.iter().map(|r| r.to_user(state)).collect(),
        total,
        paging,
    ))
}
