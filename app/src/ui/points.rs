//! 积分: my balance, level, badges and ledger, the leaderboards, and the
//! staff's page for adjustments and the earning rules.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{FormError, Loaded};
use crate::api::{AdjustPoints, SetPointsRules, get_my_points, leaderboard_data, points_rules};
use crate::domain::Level;
use crate::domain::points::ledger_line;

#[component]
pub fn PointsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_my_points());
    view! {
        <Title text="啄木积分"/>
        <Loaded data=data render=move |v| match v {
                    None => view! {
                        <section class="card empty" data-test-id="points-anonymous">
                            <h1>"啄木积分"</h1>
                            <p>"随手拍、志愿服务、推荐好人都能获得积分，积分可兑换礼品。"</p>
                            <a class="btn primary" href="/login?next=/points">"登录查看我的积分"</a>
                        </section>
                    }.into_any(),
                    Some((summary, ledger)) => {
                        let progress = summary.next_level_missing.map(|missing| {
                            let next = summary.lifetime + missing;
                            (summary.lifetime * 100 / next.max(1)).clamp(0, 100)
                        });
                        view! {
                            <section class="card balance" data-test-id="points-summary">
                                <p class="muted">"当前积分"</p>
                                <strong class="big" data-test-id="points-balance">{summary.balance}</strong>
                                <p>{summary.level_name.clone()} " · 累计 " {summary.lifetime} " 分"</p>
                                <p><a class="btn primary" href="/gifts" data-test-id="shop-link">"积分兑换礼品"</a>" "<a class="btn" href="/me/redemptions">"我的兑换"</a></p>
                                {summary.next_level_name.clone().zip(progress).map(|(name, pct)| view! {
                                    <div class="progress" role="progressbar" aria-label="升级进度" aria-valuenow=pct aria-valuemin=0 aria-valuemax=100>
                                        <span style=format!("width:{pct}%")></span>
                                    </div>
                                    <p class="muted">{format!("再得 {} 分升级为{}", summary.next_level_missing.unwrap_or(0), name)}</p>
                                })}
                            </section>
                            <section class="card" data-test-id="badges">
                                <h2>"徽章"</h2>
                                <ul class="badges">
                                    {summary.badge_list.iter().map(|b| {
                                        let earned = b.earned_at.is_some();
                                        view! {
                                            <li class=if earned { "badge earned" } else { "badge" } data-test-id=format!("badge-{}", b.code)>
                                                <strong>{b.name.clone()}</strong>
                                                <span class="muted small">{b.description.clone()}</span>
                                                <span class="small">{if earned { "已获得" } else { "未获得" }}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                            <section class="card">
                                <h2>"积分明细"</h2>
                                {if ledger.items.is_empty() {
                                    view! {
                                        <div data-test-id="ledger-empty">
                                            <p class="muted">"还没有积分记录。报告被采纳、参加志愿服务都能得积分。"</p>
                                            <p class="actions"><a class="btn primary" href="/report">"随手拍"</a><a class="btn" href="/volunteer">"去做志愿者"</a></p>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ul class="ledger" data-test-id="ledger">
                                            {ledger.items.into_iter().map(|e| view! {
                                                <li>
                                                    <span>{ledger_line(&e.reason, e.ref_type.as_deref(), e.ref_id, e.note.as_deref())}</span>
                                                    <span class={if e.delta > 0 { "plus" } else { "minus" }}>
                                                        {if e.delta > 0 { format!("+{}", e.delta) } else { e.delta.to_string() }}
                                                    </span>
                                                    <time>{e.at.get(..10).unwrap_or_default().to_owned()}</time>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
        }/>
        <Leaderboards/>
        <section class="card">
            <h2>"等级"</h2>
            <table class="levels">
                <thead><tr><th>"等级"</th><th>"累计积分"</th></tr></thead>
                <tbody>
                    {Level::ALL.into_iter().map(|l| view! {
                        <tr><td>{l.name()}</td><td>{l.threshold()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// 排行榜: points or volunteer hours, this month or all time (links, so it
/// works without JavaScript). Display names only.
#[component]
fn Leaderboards() -> impl IntoView {
    let query = use_query_map();
    let pick = move || {
        let q = query.read();
        (
            q.get("board")
                .filter(|b| b == "hours")
                .unwrap_or_else(|| "points".into()),
            q.get("period")
                .filter(|p| p == "all")
                .unwrap_or_else(|| "month".into()),
        )
    };
    let data = Resource::new(pick, |(b, p)| leaderboard_data(Some(b), Some(p)));
    let (board, period) = pick();
    let tabs = [
        ("points", "month", "本月积分"),
        ("points", "all", "累计积分"),
        ("hours", "month", "本月志愿时长"),
        ("hours", "all", "累计志愿时长"),
    ];
    let unit = if board == "hours" { "小时" } else { "分" };
    view! {
        <section class="card" id="leaderboard" data-test-id="leaderboard">
            <h2>"排行榜"</h2>
            <p class="tabs-inline">
                {tabs.into_iter().map(|(b, p, label)| {
                    let current = b == board && p == period;
                    view! {
                        <a href=format!("/points?board={b}&period={p}#leaderboard")
                            class=if current { "chip active" } else { "chip" }
                            aria-current=current.then_some("page")>{label}</a>
                    }
                }).collect_view()}
            </p>
            <Loaded data=data render=move |v| match v {
                        rows if rows.is_empty() => view! { <p class="muted">"还没有上榜的人。"</p> }.into_any(),
                        rows => view! {
                            <ol class="stars">
                                {rows.into_iter().map(|r| view! {
                                    <li>
                                        <span class="rank">{r.rank}</span>
                                        <span class="name">{r.display_name}</span>
                                        <span class="muted">{format!("{}{unit}", r.value)}</span>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
            }/>
        </section>
    }
}

/// Moderators and admins: adjust a person's points with a reason; admins
/// also change the earning rules.
#[component]
pub fn AdminPointsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| points_rules());
    let query = use_query_map();
    let adjusted = query.read_untracked().get("adjusted").is_some();
    let rules_saved = query.read_untracked().get("rules").is_some();
    let error = crate::returned_error!(AdjustPoints, SetPointsRules);
    view! {
        <Title text="积分管理"/>
        <Loaded data=data render=move |rules| {
                let error = error.clone();
                let labels = [
                    ("report_confirmed", "确认整改完成奖励"),
                    ("volunteer_per_hour", "每志愿小时积分"),
                    ("nomination_approved", "好人推荐通过"),
                    ("daily_vote", "每日首次投票"),
                    ("report_daily_cap", "每日随手拍积分上限"),
                ];
                view! {
                    <section class="card">
                        <h1>"积分管理"</h1>
                        <FormError error=error/>
                        {adjusted.then(|| view! { <p class="saved" role="status" data-test-id="adjusted">"已调整，并记入审计日志。"</p> })}
                        {rules_saved.then(|| view! { <p class="saved" role="status" data-test-id="rules-saved">"积分规则已保存。"</p> })}
                        <h2>"人工调整"</h2>
                        <form method="post" action=AdjustPoints::PATH class="stack">
                            <label>"手机号"<input type="tel" name="phone" inputmode="tel" required=true data-test-id="adjust-phone"/></label>
                            <label>"积分变动（负数为扣除）"<input type="number" name="delta" required=true inputmode="numeric" data-test-id="adjust-delta"/></label>
                            <label>"原因（必填）"<input type="text" name="reason" maxlength="200" required=true data-test-id="adjust-reason"/></label>
                            <button type="submit" class="btn primary" data-test-id="adjust">"调整积分"</button>
                        </form>
                    </section>
                    <section class="card">
                        <h2>"积分规则"</h2>
                        <p class="muted small">"随手拍每条的积分在问题类别中设置。只有管理员可以修改规则。"</p>
                        <form method="post" action=SetPointsRules::PATH class="stack">
                            {labels.into_iter().zip(rules.entries()).map(|((key, label), (_, value))| view! {
                                <label>{label}<input type="number" name=key min="0" value=value required=true inputmode="numeric" data-test-id=format!("rule-{key}")/></label>
                            }).collect_view()}
                            <button type="submit" class="btn" data-test-id="save-rules">"保存规则"</button>
                        </form>
                    </section>
                }.into_any()
        }/>
    }
}
