//! Passwords, tokens and who is asking.
//!
//! * Passwords: argon2id with OWASP's parameters (19 MiB, t=2, p=1), hashed on
//!   the blocking pool. An unknown phone is checked against a dummy hash so it
//!   costs the same work as a wrong password.
//! * Tokens: HS256 JWTs (algorithm pinned) with issuer, audience, expiry, a
//!   `jti` and the user's `token_version`. A token is refused when its `jti`
//!   was logged out or its version is older than the user's (bumped on role
//!   changes): both are checked against the database, so every server agrees.

use std::path::Path;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm as ArgonAlgorithm, Argon2, Params, Version};
use base64::Engine;
use http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::domain::{Password, Phone, Roles};
use crate::error::AppError;

pub const COOKIE_NAME: &str = "zhuomu_session";
const ISSUER: &str = "zhuomu";
const AUDIENCE: &str = "zhuomu-web";

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(ArgonAlgorithm::Argon2id, Version::V0x13, params)
}

/// The ceiling on password hashing: each argon2id hash works in 19 MiB for
/// its ~30 ms, so at most `running` hash at once (the memory budget) and at
/// most `waiting` wait for a turn; one more is refused at once with 503
/// `busy` instead of queueing without end. Each turn hashes in one of
/// `running` buffers kept for the purpose (argon2's
/// `hash_password_into_with_memory`), so a login flood costs a fixed amount
/// of memory: allocating 19 MiB per hash on the blocking pool's threads left
/// each thread's allocator arena holding its own copies (measured: 300
/// logins at once, 600 MiB resident with the ceiling alone).
pub struct HashGate {
    running: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
    buffers: std::sync::Mutex<Vec<Vec<argon2::Block>>>,
}

impl HashGate {
    pub fn new(running: usize, max_waiting: usize) -> Self {
        HashGate {
            running: tokio::sync::Semaphore::new(running.max(1)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting,
            buffers: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` with a hashing buffer on the blocking pool when a turn is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vec<argon2::Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        use std::sync::atomic::Ordering;
        let busy = AppError::Busy { retry_after_s: 2 };
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            tracing::warn!("password hashing is at its ceiling");
            return Err(busy);
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let _permit = permit.map_err(|_| AppError::Internal)?;
        let mut buffer = self
            .buffers
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_default();
        let (answer, buffer) = tokio::task::spawn_blocking(move || {
            let answer = f(&mut buffer);
            (answer, buffer)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "hashing task failed");
            AppError::Internal
        })?;
        if let Ok(mut b) = self.buffers.lock() {
            b.push(buffer);
        }
        Ok(answer)
    }
}

static GATE: OnceLock<HashGate> = OnceLock::new();

/// Sets the ceiling once, at start (`ZHUOMU_HASH_CONCURRENCY`); the default
/// is one hash per core, with 32 waiting per running hash.
pub fn set_hash_concurrency(running: usize) {
    let _ = GATE.set(HashGate::new(running, 32 * running.max(1)));
}

fn gate() -> &'static HashGate {
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        HashGate::new(cores, 32 * cores)
    })
}

/// Password checks waiting for a turn now (`/metrics`).
pub fn hashes_waiting() -> usize {
    gate().waiting.load(std::sync::atomic::Ordering::Relaxed)
}

/// Grows `memory` to what `a` needs (once per buffer).
fn fit(memory: &mut Vec<argon2::Block>, a: &Argon2<'_>) {
    let need = a.params().block_count();
    if memory.len() < need {
        memory.resize(need, argon2::Block::default());
    }
}

/// argon2id of `password` with a fresh salt, in `memory`, as a PHC string.
fn hash_in(
    password: &[u8],
    memory: &mut Vec<argon2::Block>,
) -> Result<String, argon2::password_hash::Error> {
    use argon2::password_hash::{Output, ParamsString};
    let a = argon2();
    fit(memory, &a);
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let mut raw_salt = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut raw_salt)?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        a.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })?;
    Ok(PasswordHash {
        algorithm: ArgonAlgorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(a.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Whether `password` matches the PHC string `phc`, computed in `memory`
/// (constant-time comparison of the outputs).
fn matches_in(password: &[u8], phc: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let mut check = || -> Result<bool, argon2::password_hash::Error> {
        use argon2::password_hash::Output;
        let parsed = PasswordHash::new(phc)?;
        let a = Argon2::new(
            ArgonAlgorithm::try_from(parsed.algorithm)?,
            parsed
                .version
                .map(Version::try_from)
                .transpose()?
                .unwrap_or_default(),
            Params::try_from(&parsed)?,
        );
        let expected = parsed.hash.ok_or(argon2::password_hash::Error::Crypto)?;
        let salt = parsed
            .salt
            .ok_or(argon2::password_hash::Error::SaltInvalid(
                argon2::password_hash::errors::InvalidValue::Malformed,
            ))?;
        let mut raw_salt = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut raw_salt)?;
        fit(memory, &a);
        let computed = Output::init_with(expected.len(), |out| {
            a.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })?;
        // `Output`'s equality is constant-time.
        Ok(computed == expected)
    };
    check().unwrap_or(false)
}

/// Hashes a password under the ceiling.
pub async fn hash_password(password: &Password) -> Result<String, AppError> {
    let password = password.expose().to_owned();
    gate()
        .run(move |memory| hash_in(password.as_bytes(), memory))
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "hashing failed");
            AppError::Internal
        })
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_in(b"not a password anybody has", &mut Vec::new()).expect("hashing a constant works")
    })
}

/// Verifies `password` against `hash`, or against a dummy hash when there is
/// no account, so both cases take the same time. Under the ceiling: 503
/// `busy` when it is full.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    gate()
        .run(move |memory| {
            let exists = hash.is_some();
            let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
            matches_in(password.as_bytes(), &hash, memory) && exists
        })
        .await
}

/// Login attempts per phone within `LOCKOUT_WINDOW_MS` (counting from the
/// first) that may fail before the next one is refused with 429.
pub const LOCKOUT_FAILURES: i64 = 5;
pub const LOCKOUT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Checks a password for `phone` under the per-number lockout (shared by
/// every server): the attempt is counted first, atomically, and only the
/// first LOCKOUT_FAILURES of a window reach argon2; a match clears the
/// count. Login, changing the password and deleting the account all go
/// through here, so none of them is a way around the lockout.
pub async fn password_matches(
    state: &AppState,
    phone: &Phone,
    password: String,
    hash: Option<String>,
) -> Result<bool, AppError> {
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

    let ok = verify_password(password, hash).await?;
    if ok {
        clear_lockout(state, phone).await?;
    }
    Ok(ok)
}

/// Forgets a number's failed attempts (a password matched, a reset).
pub async fn clear_lockout(state: &AppState, phone: &Phone) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_attempts WHERE phone = $1")
        .bind(phone.as_str())
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The user's token version when the token was issued.
    pub ver: i64,
}

pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Keys the HMAC that SMS codes are kept as.
    code_key: Vec<u8>,
}

impl Auth {
    pub fn new(secret: &[u8]) -> Self {
        crate::error::set_url_error_key(secret);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked against the service clock in `authenticate`, so
        // that it follows the same time as every other rule.
        validation.validate_exp = false;
        Auth {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            code_key: [b"sms-code:".as_slice(), secret].concat(),
        }
    }

    /// What an SMS code is kept as: HMAC-SHA256 of the number, the purpose
    /// and the code, under a key only the servers have (six digits alone are
    /// a search of a million).
    pub fn code_hash(
        &self,
        phone: &crate::domain::Phone,
        purpose: crate::domain::identity::CodePurpose,
        code: &str,
    ) -> String {
        use hmac::{Hmac, Mac};
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(&self.code_key)
            .expect("HMAC takes any key length");
        m.update(format!("{}\n{}\n{}", phone.as_str(), purpose.as_str(), code).as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    pub fn issue(
        &self,
        user_id: i64,
        token_version: i64,
        now_ms: i64,
        ttl_secs: i64,
    ) -> (String, Claims) {
        let mut jti = [0u8; 16];
        rand::rng().fill_bytes(&mut jti);
        let iat = now_ms / 1000;
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat,
            exp: iat + ttl_secs,
            jti: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(jti),
            ver: token_version,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding cannot fail");
        (token, claims)
    }

    /// Signature, algorithm, issuer and audience; `None` for anything forged,
    /// truncated or signed otherwise.
    pub fn decode(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }
}

/// The signing secret: `ZHUOMU_JWT_SECRET` when set; otherwise a random one
/// generated on first start and kept in `data_dir/jwt_secret`, so restarts do
/// not log everybody out.
pub fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(s) = std::env::var("ZHUOMU_JWT_SECRET") {
        anyhow::ensure!(
            s.len() >= 32,
            "ZHUOMU_JWT_SECRET must be at least 32 characters"
        );
        return Ok(s.into_bytes());
    }
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        anyhow::ensure!(existing.len() >= 32, "{} is too short", path.display());
        return Ok(existing.as_bytes().to_vec());
    }
    std::fs::create_dir_all(data_dir)?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
    write_private(&path, &secret)?;
    tracing::info!(path = %path.display(), "generated a new token signing secret");
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(content.as_bytes())
}

/// Where a request's token came from. Only cookie-authenticated requests need
/// the Origin check: a browser never adds an `Authorization` header by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Bearer,
    Cookie,
}

pub fn token_from_headers(headers: &HeaderMap) -> Option<(String, TokenSource)> {
    if let Some(value) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))?;
        return Some((token.trim().to_owned(), TokenSource::Bearer));
    }
    session_cookie(headers).map(|t| (t, TokenSource::Cookie))
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE_NAME)
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// `Set-Cookie` for a fresh login: HttpOnly, SameSite=Lax, Secure over HTTPS.
pub fn session_cookie_header(token: &str, max_age_secs: i64, secure: bool) -> String {
    cookie::Cookie::build((COOKIE_NAME, token.to_owned()))
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
        .to_string()
}

/// `Set-Cookie` that removes the session cookie.
/// Sent with a logout: the browser drops what this person left on the
/// device — cached pages and the offline outbox of reports not yet sent.
pub const CLEAR_SITE_DATA: &str = "\"cache\", \"storage\"";

pub fn clear_session_cookie_header(secure: bool) -> String {
    session_cookie_header("", 0, secure)
}

/// True when the site is served over HTTPS: configured so, or a proxy says so.
pub fn is_https(config: &super::Config, headers: &HeaderMap) -> bool {
    config
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"))
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The site's own origin for links that leave the browser (a calendar
/// subscription): configured, else the request's scheme and Host.
pub fn site_origin(config: &super::Config, headers: &HeaderMap) -> Option<String> {
    if let Some(o) = &config.public_origin {
        return Some(o.trim_end_matches('/').to_owned());
    }
    let host = headers.get(http::header::HOST)?.to_str().ok()?;
    let ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let scheme = if is_https(config, headers) {
        "https"
    } else {
        "http"
    };
    ok.then(|| format!("{scheme}://{host}"))
}

/// Whether a request's Host may be taken as the site's (links, the CSRF
/// rule). With `public_origin` set, links come from it and any Host is
/// served. Without it, the Host must name the address `serve` listens on:
/// that IP (any IP literal when it listens on all of them) or `localhost`,
/// with its port. Never a name somebody else chose.
pub fn host_allowed(config: &super::Config, headers: &HeaderMap) -> bool {
    let (Some(listen), None) = (config.listen, &config.public_origin) else {
        return true;
    };
    let Some(host) = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Ok(authority) = host.parse::<http::uri::Authority>() else {
        return false;
    };
    if authority.port_u16().unwrap_or(80) != listen.port() {
        return false;
    }
    let name = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => listen.ip().is_unspecified() || ip == listen.ip(),
        Err(_) => false,
    }
}

/// The CSRF rule of the API: a state-changing request authenticated by the
/// cookie must come from the site's own pages (Origin, or lacking it Referer).
pub fn origin_allowed(config: &super::Config, headers: &HeaderMap) -> bool {
    let claimed = headers
        .get(http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null")
        .map(str::to_owned)
        .or_else(|| {
            let referer = headers.get(http::header::REFERER)?.to_str().ok()?;
            let url = url_origin(referer)?;
            Some(url)
        });
    let Some(claimed) = claimed else { return false };
    match &config.public_origin {
        Some(site) => claimed.trim_end_matches('/') == site.trim_end_matches('/'),
        None => {
            let Some(host) = headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
            else {
                return false;
            };
            claimed
                .strip_prefix("http://")
                .or_else(|| claimed.strip_prefix("https://"))
                == Some(host)
        }
    }
}

/// `https://a.b:8080/x?y` → `https://a.b:8080`.
fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// Who performs an action that the seed loader and the command line also
/// perform. A person is authorized by their roles; `System` is the operator
/// at the server's own console (`zhuomu seed`, `zhuomu apikey create`),
/// passes the role checks and is audited with no person. Nothing a request
/// carries can become `System`: only those two commands name it.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    Person(&'a CurrentUser),
    System,
}

impl Actor<'_> {
    pub fn require_admin(self) -> Result<(), AppError> {
        match self {
            Actor::Person(p) => p.require_admin(),
            Actor::System => Ok(()),
        }
    }

    /// The person, for the audit log (`None` for the system).
    pub fn person_id(self) -> Option<i64> {
        match self {
            Actor::Person(p) => Some(p.id),
            Actor::System => None,
        }
    }
}

/// The person behind a valid token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub display_name: String,
    pub roles: Roles,
    pub unit_id: Option<i64>,
    pub jti: String,
    pub exp: i64,
}

#[derive(sqlx::FromRow)]
struct TokenOwner {
    id: i64,
    display_name: String,
    roles: String,
    unit_id: Option<i64>,
    token_version: i64,
    revoked: i64,
}

/// Checks a token: signature and claims, expiry by the service clock, the
/// user's current token version, and the logout deny list.
pub async fn authenticate(state: &AppState, token: &str) -> Result<CurrentUser, AppError> {
    let claims = state.auth.decode(token).ok_or(AppError::Unauthenticated)?;
    if claims.exp * 1000 <= state.clock.now_ms() {
        return Err(AppError::Unauthenticated);
    }
    let user_id: i64 = claims.sub.parse().map_err(|_| AppError::Unauthenticated)?;
    let owner: Option<TokenOwner> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.roles, u.unit_id, u.token_version, \
         (SELECT COUNT(*) FROM revoked_tokens r WHERE r.jti = $2) AS revoked \
         FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL AND u.deleted_at IS NULL",
    )
    .bind(user_id)
    .bind(&claims.jti)
    .fetch_optional(&state.db.pool)
    .await?;
    let owner = owner.ok_or(AppError::Unauthenticated)?;
    if owner.token_version != claims.ver || owner.revoked > 0 {
        return Err(AppError::Unauthenticated);
    }
    Ok(CurrentUser {
        id: owner.id,
        display_name: owner.display_name,
        roles: Roles::from_csv(&owner.roles),
        unit_id: owner.unit_id,
        jti: claims.jti,
        exp: claims.exp,
    })
}

/// The client's address: the connection's peer, or with `trust_proxy`
/// (ZHUOMU_TRUST_PROXY) the last address our own proxy appended to
/// X-Forwarded-For. For rate limits, never for identity.
pub fn client_ip(
    trust_proxy: bool,
    headers: &HeaderMap,
    extensions: &http::Extensions,
) -> Option<std::net::IpAddr> {
    if trust_proxy {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The current user of a request, if it carries a valid token.
pub async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    match token_from_headers(headers) {
        None => Ok(None),
        Some((token, _)) => match authenticate(state, &token).await {
            Ok(u) => Ok(Some(u)),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// The current user, or 401.
pub async fn require_user(state: &AppState, headers: &HeaderMap) -> Result<CurrentUser, AppError> {
    let (token, _) = token_from_headers(headers).ok_or(AppError::Unauthenticated)?;
    authenticate(state, &token).await
}

/// 403 `own_account`: see [`CurrentUser::not_on_self`].
pub fn own_account() -> AppError {
    AppError::Refused {
        code: "own_account".into(),
        message: "不能对自己的账号使用工作人员权限".into(),
    }
}

impl CurrentUser {
    /// Staff powers are never used on one's own account: adjusting one's own
    /// points, reviewing one's own report or nomination, handing oneself a
    /// gift. 403 `own_account`.
    pub fn not_on_self(&self, owner_id: i64) -> Result<(), AppError> {
        if self.id == owner_id {
            Err(own_account())
        } else {
            Ok(())
        }
    }

    pub fn require_moderator(&self) -> Result<(), AppError> {
        if self.roles.can_moderate() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.roles.has(crate::domain::Role::Admin) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many hashes at once: never more than the ceiling run together, and
    /// those past the waiting room are refused at once with 503 `busy`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hashing_has_a_ceiling() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let gate = Arc::new(HashGate::new(2, 4));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (gate, running, most) = (gate.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    gate.run(move |_| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        let (mut done, mut busy) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => done += 1,
                Err(AppError::Busy { retry_after_s }) => {
                    assert!(retry_after_s > 0);
                    busy += 1;
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        assert!(most.load(Ordering::SeqCst) <= 2, "at most 2 at once");
        assert!(
            (2..=6).contains(&done),
            "2 running and 4 waiting at most: {done}"
        );
        assert_eq!(done + busy, 40);
        // Once the flood is over, the gate is open again.
        assert!(gate.run(|_| ()).await.is_ok());
    }

    #[test]
    fn the_host_must_name_the_listening_address() {
        let headers = |host: &str| {
            let mut h = HeaderMap::new();
            h.insert(http::header::HOST, host.parse().unwrap());
            h
        };
        let config = |listen: &str, origin: Option<&str>| super::super::Config {
            listen: Some(listen.parse().unwrap()),
            public_origin: origin.map(str::to_owned),
            ..Default::default()
        };
        let local = config("127.0.0.1:3000", None);
        assert!(host_allowed(&local, &headers("127.0.0.1:3000")));
        assert!(host_allowed(&local, &headers("localhost:3000")));
        assert!(!host_allowed(&local, &headers("evil.example")));
        assert!(!host_allowed(&local, &headers("evil.example:3000")));
        assert!(!host_allowed(&local, &headers("127.0.0.1:3001")));
        assert!(!host_allowed(&local, &headers("10.0.0.5:3000")));
        assert!(!host_allowed(&local, &HeaderMap::new()));
        // Listening on every address: any IP literal on the port (a phone on
        // the same Wi-Fi), never a name.
        let all = config("0.0.0.0:8080", None);
        assert!(host_allowed(&all, &headers("192.168.1.20:8080")));
        assert!(!host_allowed(&all, &headers("zhuomu.example.cn:8080")));
        let v6 = config("[::]:80", None);
        assert!(host_allowed(&v6, &headers("[2408:8207::1]")));
        // With a public origin, links come from it: any Host is served.
        let public = config("127.0.0.1:3000", Some("https://zhuomu.example.cn"));
        assert!(host_allowed(&public, &headers("zhuomu.example.cn")));
        // No listening address (in-process tests): nothing to check against.
        assert!(host_allowed(
            &super::super::Config::default(),
            &headers("anything")
        ));
    }

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let auth = Auth::new(b"0123456789abcdef0123456789abcdef");
        let (token, claims) = auth.issue(7, 3, 1_700_000_000_000, 3600);
        let back = auth.decode(&token).unwrap();
        assert_eq!(back.sub, "7");
        assert_eq!(back.ver, 3);
        assert_eq!(back.jti, claims.jti);

        let other = Auth::new(b"another secret of enough length!!");
        assert!(other.decode(&token).is_none(), "wrong key");

        // alg=none with the same claims
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            auth.decode(&format!("{none_header}.{}.", parts[1]))
                .is_none()
        );
        // HS512 signed with the same secret: algorithm is pinned
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert!(auth.decode(&hs512).is_none());
        // tampered payload
        let evil = Claims {
            sub: "1".into(),
            ..claims.clone()
        };
        let evil_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&evil).unwrap());
        assert!(
            auth.decode(&format!("{}.{}.{}", parts[0], evil_payload, parts[2]))
                .is_none()
        );
        // wrong audience
        let wrong_aud = Claims {
            aud: "someone-else".into(),
            ..claims
        };
        let t = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &wrong_aud,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert!(auth.decode(&t).is_none());
        assert!(auth.decode("garbage").is_none());
    }

    #[tokio::test]
    async fn passwords_verify_and_unknown_accounts_never_match() {
        let p = Password::parse("雄关漫道真如铁2026").unwrap();
        let h = hash_password(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password("雄关漫道真如铁2026".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong password".into(), Some(h))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("not a password anybody has".into(), None)
                .await
                .unwrap()
        );
    }

    /// Hashes made in a reused buffer are the standard PHC strings: the
    /// argon2 crate's own verifier accepts them, and hashes it made (every
    /// account before the buffers) still verify, in a buffer that served
    /// other passwords before.
    #[test]
    fn hashes_in_reused_buffers_are_standard() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let mut memory = Vec::new();
        let ours = hash_in(b"first-passphrase", &mut memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2()
                .verify_password(b"first-passphrase", &parsed)
                .is_ok()
        );
        assert!(
            argon2()
                .verify_password(b"other-passphrase", &parsed)
                .is_err()
        );
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let theirs = argon2()
            .hash_password(b"second-passphrase", &salt)
            .unwrap()
            .to_string();
        assert!(matches_in(b"second-passphrase", &theirs, &mut memory));
        assert!(!matches_in(b"first-passphrase", &theirs, &mut memory));
        assert!(matches_in(b"first-passphrase", &ours, &mut memory));
        assert!(!matches_in(b"first-passphrase", "not a hash", &mut memory));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origin_rule() {
        let open = super::super::Config::default();
        assert!(origin_allowed(
            &open,
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000")
            ])
        ));
        assert!(!origin_allowed(
            &open,
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://evil.example")
            ])
        ));
        assert!(origin_allowed(
            &open,
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("referer", "http://127.0.0.1:3000/me?x=1")
            ])
        ));
        assert!(!origin_allowed(
            &open,
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("referer", "http://127.0.0.1:3000.evil.example/")
            ])
        ));
        assert!(!origin_allowed(
            &open,
            &headers(&[("host", "127.0.0.1:3000")])
        ));
        assert!(!origin_allowed(
            &open,
            &headers(&[("host", "127.0.0.1:3000"), ("origin", "null")])
        ));
        let fixed = super::super::Config {
            public_origin: Some("https://zhuomu.example.cn".into()),
            ..Default::default()
        };
        assert!(origin_allowed(
            &fixed,
            &headers(&[
                ("host", "10.0.0.5"),
                ("origin", "https://zhuomu.example.cn")
            ])
        ));
        assert!(!origin_allowed(
            &fixed,
            &headers(&[("host", "10.0.0.5"), ("origin", "http://10.0.0.5")])
        ));
    }

    #[test]
    fn cookie_flags() {
        let c = session_cookie_header("abc", 60, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(session_cookie_header("abc", 60, true).contains("Secure"));
        let h = headers(&[("cookie", "a=1; zhuomu_session=tok; b=2")]);
        assert_eq!(
            token_from_headers(&h),
            Some(("tok".into(), TokenSource::Cookie))
        );
        let h = headers(&[
            ("authorization", "Bearer xyz"),
            ("cookie", "zhuomu_session=tok"),
        ]);
        assert_eq!(
            token_from_headers(&h),
            Some(("xyz".into(), TokenSource::Bearer))
        );
    }
}
