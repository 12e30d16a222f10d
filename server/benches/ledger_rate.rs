//! Throughput of ledger writes and redemptions through the services, against
//! a raw SQL loop doing the same writes in the same transactions on the same
//! database. Target: the services reach at least half the raw rate.
//!
//! `cargo bench -p zhuomu --bench ledger_rate` (SQLite file); with
//! `BENCH_DATABASE_URL=postgres://…/fresh_db` it runs on PostgreSQL.
//! Figures in docs/PERFORMANCE.md.

use std::time::Instant;

use app::backend::auth::CurrentUser;
use app::backend::gifts;
use app::backend::points::{self, Reference};
use app::domain::{PointsDelta, PointsReason, Roles};

const N: i64 = 2000;

mod common;

#[tokio::main]
async fn main() {
    let bench = common::bench_state().await;
    let (state, engine) = (bench.state.clone(), bench.engine);
    let user = |phone: &str| {
        let state = state.clone();
        let phone = phone.to_owned();
        async move {
            app::backend::users::create(
                &state,
                &app::domain::Phone::parse(&phone).unwrap(),
                &app::domain::Password::parse("bench-passphrase").unwrap(),
                &app::domain::DisplayName::parse("压测").unwrap(),
                &Roles::parse_list(std::iter::empty::<&str>()).unwrap(),
                None,
            )
            .await
            .unwrap()
            .id
        }
    };
    let (a, b) = (user("13800000001").await, user("13800000002").await);
    let now = state.clock.now_ms();

    // 1. Ledger writes: an earning per reference, each in its own transaction.
    let t = Instant::now();
    for i in 0..N {
        points::award(
            &state,
            a,
            PointsDelta::parse(5).unwrap(),
            PointsReason::ReportApproved,
            Some(Reference {
                kind: "report",
                id: i,
            }),
        )
        .await
        .unwrap();
    }
    let service = N as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in 0..N {
        let mut tx = state.db.begin_write().await.unwrap();
        sqlx::query(
            "INSERT INTO points_ledger (user_id, delta, reason, ref_type, ref_id, created_at) \
             VALUES ($1, 5, 'report_approved', 'report', $2, $3)",
        )
        .bind(b)
        .bind(N + i)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("UPDATE users SET points_balance = points_balance + 5, points_lifetime = points_lifetime + 5 WHERE id = $1")
            .bind(b)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let raw = N as f64 / t.elapsed().as_secs_f64();
    println!(
        "{engine} ledger writes: service {service:.0}/s, raw SQL {raw:.0}/s, ratio {:.2}",
        service / raw
    );

    // 2. Redemptions: stock, redemption row, ledger entry and balance together.
    let gift = gifts::create(
        &state,
        app::backend::auth::Actor::System,
        gifts::GiftInput {
            name: "压测礼品".into(),
            description: None,
            cost: 1,
            stock: 100_000,
        },
    )
    .await
    .unwrap();
    let me = CurrentUser {
        id: a,
        display_name: String::new(),
        roles: Roles::parse_list(std::iter::empty::<&str>()).unwrap(),
        unit_id: None,
        jti: String::new(),
        exp: i64::MAX,
    };
    let n = N / 2;
    let t = Instant::now();
    for _ in 0..n {
        gifts::redeem(&state, &me, gift.id).await.unwrap();
    }
    let service = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in 0..n {
        let mut tx = state.db.begin_write().await.unwrap();
        sqlx::query("UPDATE gifts SET stock = stock - 1 WHERE id = $1 AND stock > 0")
            .bind(gift.id)
            .execute(&mut *tx)
            .await
            .unwrap();
        let (rid,): (i64,) = sqlx::query_as(
            "INSERT INTO redemptions (user_id, gift_id, cost, code, status, created_at, updated_at) \
             VALUES ($1, $2, 1, $3, 'pending_pickup', $4, $4) RETURNING id",
        )
        .bind(b)
        .bind(gift.id)
        .bind(format!("RAW{i:05}"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO points_ledger (user_id, delta, reason, ref_type, ref_id, created_at) \
             VALUES ($1, -1, 'gift_redeemed', 'redemption', $2, $3)",
        )
        .bind(b)
        .bind(rid)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("UPDATE users SET points_balance = points_balance - 1 WHERE id = $1 AND points_balance >= 1")
            .bind(b)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let raw = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "{engine} redemptions: service {service:.0}/s, raw SQL {raw:.0}/s, ratio {:.2}",
        service / raw
    );
    assert_eq!(
        points::ledger_sum(&state, a).await.unwrap(),
        points::summary(&state, a).await.unwrap().balance
    );
}
