//! A property of the whole economy: whatever mix of earning, adjusting,
//! redeeming and cancelling happens, in whatever order and at once, every
//! balance equals the sum of its ledger and never goes below zero, lifetime
//! points are the earnings alone, and no gift unit is lost or invented.

use app::backend::auth::CurrentUser;
use app::backend::points::{self, AdjustInput, Reference};
use app::backend::{AppState, gifts};
use app::domain::{PointsDelta, PointsReason, Roles};
use proptest::prelude::*;

use crate::both;
use crate::helpers::{Engine, TestApp};

#[derive(Debug, Clone)]
enum Op {
    /// An earning for a reference (paid once per reference).
    Earn {
        user: usize,
        points: i64,
        reference: i64,
    },
    Adjust {
        user: usize,
        delta: i64,
    },
    Redeem {
        user: usize,
        gift: usize,
    },
    /// Cancel the user's `nth` redemption, if there is one.
    Cancel {
        user: usize,
        nth: usize,
    },
}

const USERS: usize = 3;
const GIFTS: usize = 2;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..USERS, 1..60i64, 0..6i64).prop_map(|(user, points, reference)| Op::Earn {
            user,
            points,
            reference
        }),
        (0..USERS, -80..80i64)
            .prop_filter("non-zero", |(_, d)| *d != 0)
            .prop_map(|(user, delta)| Op::Adjust { user, delta }),
        (0..USERS, 0..GIFTS).prop_map(|(user, gift)| Op::Redeem { user, gift }),
        (0..USERS, 0..4usize).prop_map(|(user, nth)| Op::Cancel { user, nth }),
    ]
}

fn actor(id: i64, roles: &[&str]) -> CurrentUser {
    CurrentUser {
        id,
        display_name: String::new(),
        roles: Roles::parse_list(roles.iter().copied()).unwrap(),
        unit_id: None,
        jti: String::new(),
        exp: i64::MAX,
    }
}

/// Runs one op; refusals (not enough points, out of stock, nothing to
/// cancel) are part of the game.
async fn run(
    state: AppState,
    op: Op,
    users: Vec<i64>,
    gifts_: Vec<i64>,
    moderator: i64,
    case: i64,
) {
    match op {
        Op::Earn {
            user,
            points: p,
            reference,
        } => {
            let _ = points::award(
                &state,
                users[user],
                PointsDelta::parse(p).unwrap(),
                PointsReason::ReportApproved,
                Some(Reference {
                    kind: "report",
                    id: case * 100 + reference,
                }),
            )
            .await;
        }
        Op::Adjust { user, delta } => {
            let _ = points::adjust(
                &state,
                &actor(moderator, &["moderator"]),
                AdjustInput {
                    user_id: users[user],
                    delta,
                    reason: "性质测试".into(),
                },
            )
            .await;
        }
        Op::Redeem { user, gift } => {
            let _ = gifts::redeem(&state, &actor(users[user], &[]), gifts_[gift]).await;
        }
        Op::Cancel { user, nth } => {
            let me = actor(users[user], &[]);
            if let Ok(list) = gifts::mine(&state, &me).await
                && let Some(r) = list.get(nth)
            {
                let _ = gifts::cancel(&state, &me, r.id).await;
            }
        }
    }
}

async fn check(app: &TestApp, gift_ids: &[i64], stock: i64) {
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.points_balance, u.points_lifetime, \
           CAST(COALESCE(SUM(l.delta), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN l.reason NOT IN ('gift_redeemed', 'gift_refunded') THEN l.delta ELSE 0 END), 0) AS BIGINT) \
         FROM users u LEFT JOIN points_ledger l ON l.user_id = u.id \
         GROUP BY u.id, u.points_balance, u.points_lifetime",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    for (user, balance, lifetime, sum, earned) in rows {
        assert_eq!(balance, sum, "user {user}: balance = ledger sum");
        assert!(balance >= 0, "user {user}: never below zero");
        assert_eq!(lifetime, earned, "user {user}: lifetime = earnings");
    }
    for g in gift_ids {
        let (left, held): (i64, i64) = sqlx::query_as(
            "SELECT g.stock, (SELECT COUNT(*) FROM redemptions r WHERE r.gift_id = g.id AND r.status <> 'cancelled') \
             FROM gifts g WHERE g.id = $1",
        )
        .bind(g)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(left + held, stock, "gift {g}: units are kept");
        assert!(left >= 0);
    }
}

async fn any_interleaving_keeps_the_books(e: Engine) {
    // Many accounts from one address: the per-IP limits are off.
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let (_, moderator) = app.moderator().await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let case = std::sync::atomic::AtomicI64::new(0);
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        let case = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                // Fresh people and gifts for every case, in the same database.
                let mut users = vec![];
                for u in 0..USERS {
                    let (_, id) = app
                        .user_with_roles(&format!("1370{case:03}{u:04}"), &[], None)
                        .await;
                    users.push(id);
                }
                let mut gift_ids = vec![];
                for g in 0..GIFTS {
                    let gift = gifts::create(
                        &app.state,
                        app::backend::auth::Actor::System,
                        gifts::GiftInput {
                            name: format!("礼品{case}-{g}"),
                            description: None,
                            cost: 20 + 15 * g as i64,
                            stock: 3,
                        },
                    )
                    .await
                    .unwrap();
                    gift_ids.push(gift.id);
                }
                // Ops in groups of up to four, each group all at once.
                for group in ops.chunks(4) {
                    let tasks: Vec<_> = group
                        .iter()
                        .cloned()
                        .map(|op| {
                            tokio::spawn(run(
                                app.state.clone(),
                                op,
                                users.clone(),
                                gift_ids.clone(),
                                moderator,
                                case,
                            ))
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                }
                check(&app, &gift_ids, 3).await;
            })
        });
        Ok(())
    });
    result.unwrap();
}
both!(any_interleaving_keeps_the_books);
