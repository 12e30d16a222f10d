//! Rate limits that hold whichever server a request reaches: each is a row of
//! `rate_windows` per (limit, key), moved by one conditional upsert, so two
//! servers on one database count together. A hit inside a caller's
//! transaction counts only if that transaction commits.
//!
//! Keys: a client address (an IPv6 address by its /64, which is what one
//! subscriber gets), an API key's id, a user's id.

use std::net::IpAddr;

use sqlx::Any;

use crate::domain::time::{HOUR_MS, MINUTE_MS};
use crate::error::AppError;

/// A limit: at most `max` hits per `window_ms`, per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window_ms: i64,
}

/// Register and login (API and web forms) per client address: 30 a minute.
/// Generous on purpose: carriers put many phones behind one address; the
/// per-phone lockout is what stops guessing.
pub const AUTH_PER_ADDRESS: Limit = Limit {
    bucket: "auth-address",
    max: 30,
    window_ms: MINUTE_MS,
};

/// SMS codes requested per client address: 30 an hour.
pub const SMS_PER_ADDRESS: Limit = Limit {
    bucket: "sms-address",
    max: crate::domain::identity::CODES_PER_ADDRESS_HOUR,
    window_ms: HOUR_MS,
};

/// Open311 requests per API key: 600 a minute (a hotline's whole floor).
pub const OPEN311_PER_KEY: Limit = Limit {
    bucket: "open311-key",
    max: 600,
    window_ms: MINUTE_MS,
};

/// Open311 requests per client address, with or without a key: 120 a minute.
pub const OPEN311_PER_ADDRESS: Limit = Limit {
    bucket: "open311-address",
    max: 120,
    window_ms: MINUTE_MS,
};

/// Requests with photos per citizen: 30 an hour (a busy reporter files a
/// report every two minutes).
pub const UPLOADS_PER_PERSON: Limit = Limit {
    bucket: "uploads-person",
    max: 30,
    window_ms: HOUR_MS,
};

/// Requests with photos per staff account (patrols, rectifications): 300
/// an hour.
pub const UPLOADS_PER_STAFF: Limit = Limit {
    bucket: "uploads-staff",
    max: 300,
    window_ms: HOUR_MS,
};

/// Windows are purged this long after they started (the retention sweep).
pub const KEEP_MS: i64 = 24 * HOUR_MS;

/// The key of a client address: IPv4 as it is, IPv6 by its /64.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Counts one hit of `key` against `limit` at `now`. Refused: the
/// milliseconds until the window ends (the caller picks the error).
pub async fn hit<'c, E>(
    db: E,
    limit: Limit,
    key: &str,
    now: i64,
) -> Result<Result<(), i64>, AppError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let (start, hits): (i64, i64) = sqlx::query_as(
        "INSERT INTO rate_windows (bucket, key, window_start, hits) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (bucket, key) DO UPDATE SET \
           hits = CASE WHEN rate_windows.window_start <= $4 THEN 1 ELSE rate_windows.hits + 1 END, \
           window_start = CASE WHEN rate_windows.window_start <= $4 THEN $3 ELSE rate_windows.window_start END \
         RETURNING window_start, hits",
    )
    .bind(limit.bucket)
    .bind(key)
    .bind(now)
    .bind(now - limit.window_ms)
    .fetch_one(db)
    .await?;
    Ok(if hits > limit.max {
        Err((start + limit.window_ms - now).max(1))
    } else {
        Ok(())
    })
}

/// [`hit`] as its own statement, answered 429 `rate_limited` when refused.
pub async fn check(
    state: &crate::backend::AppState,
    limit: Limit,
    key: &str,
) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    // A single upsert: on SQLite it takes the write lock at once (no
    // read-then-write upgrade), so it needs no BEGIN IMMEDIATE.
    hit(&state.db.pool, limit, key, now)
        .await?
        .map_err(AppError::rate_limited)
}

/// Holds `key`'s row of `bucket` until the caller's transaction ends, so
/// that a count taken after it is not raced by another server (PostgreSQL
/// row lock; SQLite's write transaction already serialises).
pub async fn hold(
    tx: &mut sqlx::Transaction<'static, Any>,
    bucket: &'static str,
    key: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO rate_windows (bucket, key, window_start, hits) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (bucket, key) DO UPDATE SET window_start = $3",
    )
    .bind(bucket)
    .bind(key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes windows that started more than [`KEEP_MS`] before `now`.
pub async fn purge(tx: &mut sqlx::Transaction<'static, Any>, now: i64) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM rate_windows WHERE window_start < $1")
            .bind(now - KEEP_MS)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_by_subscriber() {
        assert_eq!(address_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
        // Everything in one /64 is one key: a phone rotates within its prefix.
        let a = address_key("2408:8207:1234:5678::1".parse().unwrap());
        let b = address_key("2408:8207:1234:5678:abcd:ef01:2:3".parse().unwrap());
        assert_eq!(a, b);
        assert_eq!(a, "2408:8207:1234:5678::/64");
        assert_ne!(a, address_key("2408:8207:1234:5679::1".parse().unwrap()));
        // IPv4 seen through a dual-stack socket is the IPv4 address.
        assert_eq!(
            address_key("::ffff:198.51.100.2".parse().unwrap()),
            "198.51.100.2"
        );
    }
}
