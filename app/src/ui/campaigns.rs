//! 好人 campaigns: the campaign page (windows with a countdown, categories,
//! cards with votes), nominating, a nomination's share page, results, the
//! 红榜, the moderators' queue and the admins' campaign list. Plain forms
//! posting to server functions (the nomination form to the upload API);
//! nothing here needs WASM. The countdown and the share button are small
//! enhancements in `public/zhuomu.js`.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{FormError, Loaded};
use crate::api::{
    CastVote, MarkWinner, ReviewNomination, SaveCampaign, admin_campaigns, campaign_page,
    campaign_results, campaigns_list, honors_page, nomination_page, nomination_queue,
};
use crate::domain::campaign::{CATEGORIES, STORY_MAX, STORY_MIN};
use crate::domain::report::short_time;
use crate::models::{Campaign, MyVotes, Nomination};

fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse().ok())
            .unwrap_or(0)
    }
}

/// The windows and what happens next, with a live countdown.
#[component]
fn Windows(c: Campaign) -> impl IntoView {
    view! {
        <p><span class=format!("phase {}", c.phase) data-test-id="phase">{c.phase_label.clone()}</span>
            {c.next_deadline.clone().zip(c.next_deadline_at).map(|(what, at)| view! {
                " · 距"{what}" "
                <strong data-countdown=at data-test-id="countdown">{c.next_deadline_in.clone()}</strong>
            })}
        </p>
        <dl class="windows small">
            <dt>"推荐"</dt><dd>{format!("{} 至 {}", short_time(&c.nomination_starts_at), short_time(&c.nomination_ends_at))}</dd>
            <dt>"投票"</dt><dd>{format!("{} 至 {}", short_time(&c.voting_starts_at), short_time(&c.voting_ends_at))}</dd>
        </dl>
    }
}

/// The list of campaigns.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| campaigns_list());
    view! {
        <Title text="好人评选"/>
        <section class="card">
            <h1>"好人评选"</h1>
            <p class="muted">"我推荐、我评议身边好人。"</p>
            <p class="links"><a href="/honors" data-test-id="honors-link">"查看红榜"</a></p>
        </section>
        <Loaded data=data render=move |list| {
                if list.is_empty() {
                    return view! {
                        <section class="card empty" data-test-id="no-campaigns">
                            <p>"暂时没有评选活动。评选开始后，您可以在这里推荐身边的好人、为候选人投票。"</p>
                            <p><a href="/volunteer">"先去看看志愿岗位"</a></p>
                        </section>
                    }.into_any();
                }
                list.into_iter().map(|c| view! {
                    <section class="card" data-test-id=format!("campaign-{}", c.id)>
                        <h2><a href=format!("/campaigns/{}", c.id)>{c.title.clone()}</a></h2>
                        <Windows c=c.clone()/>
                        <p class="muted small">{format!("已公示{}位候选人", c.nomination_count)}</p>
                    </section>
                }).collect_view().into_any()
        }/>
    }
}

fn picture(n: &Nomination) -> AnyView {
    match &n.thumb_url {
        Some(u) => view! { <img class="nominee-photo" src=u.clone() alt=n.nominee_name.clone() loading="lazy"/> }
            .into_any(),
        None => view! {
            <div class="nominee-photo none" aria-hidden="true">
                {n.nominee_name.chars().next().map(String::from).unwrap_or_default()}
            </div>
        }
        .into_any(),
    }
}

/// The vote button (or why not) of one nomination.
fn vote_form(n: &Nomination, c: &Campaign, my: Option<&MyVotes>, back: String) -> AnyView {
    if !c.voting_open {
        return ().into_any();
    }
    let Some(my) = my else {
        return view! { <a class="btn small" href=format!("/login?next={back}")>"登录后投票"</a> }
            .into_any();
    };
    if let Some(why) = &my.refused {
        return view! {
            <button type="button" class="btn small" disabled title=why.clone() data-test-id="vote">"暂不能投票"</button>
        }
        .into_any();
    }
    let voted = my.voted_today.contains(&n.id);
    let label = if voted {
        "今日已投"
    } else if my.votes_left_today == 0 {
        "今日票数已用完"
    } else {
        "投一票"
    };
    let class = if voted || my.votes_left_today == 0 {
        "btn small"
    } else {
        "btn primary small"
    };
    view! {
        <form method="post" action=CastVote::PATH class="inline">
            <input type="hidden" name="nomination_id" value=n.id/>
            <input type="hidden" name="back" value=back/>
            <button type="submit" class=class disabled=voted data-test-id="vote">{label}</button>
        </form>
    }
    .into_any()
}

fn card(
    n: Nomination,
    c: &Campaign,
    my: Option<&MyVotes>,
    back: &str,
    just_voted: Option<i64>,
) -> impl IntoView {
    let id = n.id;
    view! {
        <li class="card nominee" id=format!("n{id}") data-test-id=format!("nomination-{id}")>
            {picture(&n)}
            <div class="nominee-body">
                <h2><a href=format!("/nominations/{id}")>{n.nominee_name.clone()}</a>
                    " "<span class="tag">{n.category.clone()}</span>
                    {n.winner.then(|| view! { " "<span class="tag winner">"当选"</span> })}</h2>
                <p class="story">{n.story.clone()}</p>
                <p class="votes"><strong data-test-id="vote-count">{n.vote_count}</strong>" 票 "
                    {vote_form(&n, c, my, back.to_owned())}</p>
                {(just_voted == Some(id)).then(|| view! { <p class="saved small" role="status">"已为TA投上一票"</p> })}
            </div>
        </li>
    }
}

/// A campaign: windows and countdown, categories, the approved nominations
/// with their votes, votes left today, and the nominate button.
#[component]
pub fn CampaignPage() -> impl IntoView {
    let id = id_param();
    let query = use_query_map();
    let data = Resource::new(
        move || (id(), query.read().get("category")),
        |(id, category)| campaign_page(id, category),
    );
    let error = crate::returned_error!(CastVote);
    let q = query.read_untracked();
    let voted_for = q.get("voted").and_then(|v| v.parse::<i64>().ok());
    let voted = voted_for.is_some();
    let left = q.get("left");
    let nominated = q.get("nominated").is_some();
    drop(q);
    view! {
        <Loaded data=data render=move |p| {
                let error = error.clone();
                let left = left.clone();
                let c = p.campaign.clone();
                let current = query.read_untracked().get("category").unwrap_or_default();
                let back = format!("/campaigns/{}", c.id);
                view! {
                    <Title text=c.title.clone()/>
                    <section class="card" data-test-id="campaign">
                        <p class="links"><a href="/campaigns">"← 好人评选"</a></p>
                        <h1>{c.title.clone()}</h1>
                        {(!c.description.is_empty()).then(|| view! { <p>{c.description.clone()}</p> })}
                        <Windows c=c.clone()/>
                        {(voted && error.is_none()).then(|| view! {
                            <p class="saved" role="status" data-test-id="voted">
                                {format!("投票成功！今天还可以投{}票。", left.clone().unwrap_or_default())}
                            </p>
                        })}
                        {nominated.then(|| view! {
                            <p class="saved" role="status" data-test-id="nominated">"推荐已提交，审核通过后会在这里公示。"</p>
                        })}
                        <FormError error=error/>
                        {match (&p.my, c.voting_open) {
                            (Some(my), true) => match &my.refused {
                                Some(why) => view! { <p class="muted" data-test-id="votes-left">{why.clone()}</p> }.into_any(),
                                None => view! {
                                    <p data-test-id="votes-left">"今天还可以投 "<strong>{my.votes_left_today}</strong>
                                        {format!(" 票（每人每天可投{}票，同一候选人每天限投1票）", c.votes_per_day)}</p>
                                }.into_any(),
                            },
                            (None, true) => view! {
                                <p class="muted" data-test-id="vote-rules">{format!(
                                    "登录后即可投票：每人每天可投{}票，同一候选人每天限投1票{}。",
                                    c.votes_per_day,
                                    if c.min_account_age_hours > 0 { format!("，注册满{}小时后可投", c.min_account_age_hours) } else { String::new() }
                                )}</p>
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                        <p class="links">
                            {c.nominating_open.then(|| view! {
                                <a class="btn primary" href=format!("/campaigns/{}/nominate", c.id) data-test-id="nominate-link">"我要推荐"</a>
                            })}
                            " "<a href=format!("/campaigns/{}/results", c.id) data-test-id="results-link">
                                {if c.phase == "ended" { "评选结果" } else { "实时排名" }}</a>
                        </p>
                    </section>
                    {(!p.mine.is_empty()).then(|| view! {
                        <section class="card" data-test-id="my-nominations">
                            <h2>"我的推荐"</h2>
                            <ul class="plain">
                                {p.mine.iter().map(|n| view! {
                                    <li><a href=format!("/nominations/{}", n.id)>{n.nominee_name.clone()}</a>" · "{n.category.clone()}" · "
                                        <strong>{n.status_label.clone()}</strong>
                                        {n.reject_reason.clone().map(|r| view! { <span class="muted">{format!("（{r}）")}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                    <nav class="tabs-inline card" aria-label="类别">
                        <a class=if current.is_empty() { "chip active" } else { "chip" } href=back.clone()>"全部"</a>
                        {CATEGORIES.iter().map(|cat| view! {
                            <a class=if current == *cat { "chip active" } else { "chip" }
                                href=format!("{back}?category={cat}")>{*cat}</a>
                        }).collect_view()}
                    </nav>
                    {if p.nominations.is_empty() {
                        view! { <p class="card muted">"还没有公示的候选人。"</p> }.into_any()
                    } else {
                        view! {
                            <ul class="nominees">
                                {p.nominations.into_iter().map(|n| card(n, &c, p.my.as_ref(), &back, voted_for)).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any()
        }/>
    }
}

/// The nomination form: name, category, story, an optional photo.
#[component]
pub fn NominatePage() -> impl IntoView {
    let id = id_param();
    let data = Resource::new(id, |id| campaign_page(id, None));
    let q = use_query_map().read_untracked();
    let fields: Vec<&str> = q
        .get("fields")
        .unwrap_or_default()
        .split(',')
        .filter_map(|f| match f {
            "nominee_name" => Some("姓名（2到20个字）"),
            "category" => Some("类别"),
            "story" => Some("事迹（30到1500字）"),
            "photo" => Some("照片"),
            _ => None,
        })
        .collect();
    let error = q.get("error").map(|code| match code.as_str() {
        "nomination_closed" => "推荐已经截止或还没有开始。".to_owned(),
        "duplicate_nomination" => "你已经在本次评选中推荐过这个人了。".to_owned(),
        "unsupported_media_type" => "只支持 JPEG、PNG 或 WebP 格式的照片。".to_owned(),
        "payload_too_large" => "照片太大了，请换一张。".to_owned(),
        _ if !fields.is_empty() => format!("请检查：{}。", fields.join("、")),
        _ => "提交的内容有误，请检查后重试。".to_owned(),
    });
    drop(q);
    view! {
        <Loaded data=data render=move |p| {
                let error = error.clone();
                let c = p.campaign;
                let action = format!("/api/v1/campaigns/{}/nominations", c.id);
                view! {
                    <Title text="推荐好人"/>
                    <section class="card">
                        <p class="links"><a href=format!("/campaigns/{}", c.id)>{format!("← {}", c.title)}</a></p>
                        <h1>"推荐身边好人"</h1>
                        {if !p.signed_in {
                            view! { <p><a class="btn primary" href=format!("/login?next=/campaigns/{}/nominate", c.id)>"登录后推荐"</a></p> }.into_any()
                        } else if !c.nominating_open {
                            view! { <p class="muted" data-test-id="nomination-closed">{format!(
                                "现在不在推荐时间内。推荐时间：{} 至 {}。",
                                short_time(&c.nomination_starts_at),
                                short_time(&c.nomination_ends_at)
                            )}</p> }.into_any()
                        } else {
                            view! {
                                <form method="post" enctype="multipart/form-data" action=action.clone() data-upload=action
                                    data-next=format!("/campaigns/{}?nominated=1", c.id) data-test-id="nominate-form">
                                    <div class="field">
                                        <label for="nominee_name">"被推荐人姓名"</label>
                                        <input id="nominee_name" name="nominee_name" required minlength="2" maxlength="20" autocomplete="off"/>
                                    </div>
                                    <div class="field">
                                        <label for="category">"类别"</label>
                                        <select id="category" name="category" required>
                                            <option value="" disabled selected>"请选择"</option>
                                            {CATEGORIES.iter().map(|cat| view! { <option value=*cat>{*cat}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="story">"先进事迹"</label>
                                        <textarea id="story" name="story" rows="8" required minlength=STORY_MIN maxlength=STORY_MAX></textarea>
                                        <p class="field-hint">{format!("{STORY_MIN}到{STORY_MAX}字：做了什么、在哪里、大家怎么评价。")}</p>
                                    </div>
                                    <div class="field">
                                        <label class="btn">"添加照片（可选）"
                                            <input type="file" name="photo" accept="image/*" class="sr-only" data-test-id="nominee-photo"/></label>
                                        <p class="field-hint">"照片的位置等信息会被去除。"</p>
                                    </div>
                                    <p class="form-error" role="alert" data-test-id="nominate-error">{error}</p>
                                    <button type="submit" class="btn primary block big" data-test-id="nominate-submit">"提交推荐"</button>
                                </form>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
        }/>
    }
}

/// One nomination: the share link's page.
#[component]
pub fn NominationPage() -> impl IntoView {
    let id = id_param();
    let data = Resource::new(id, nomination_page);
    let error = crate::returned_error!(CastVote);
    let voted = use_query_map().read_untracked().get("voted").is_some();
    view! {
        <Loaded data=data render=move |p| {
                let error = error.clone();
                let n = p.nomination;
                let c = p.campaign;
                let back = format!("/nominations/{}", n.id);
                view! {
                    <Title text=format!("{} · {}", n.nominee_name, c.title)/>
                    <section class="card nomination" data-test-id="nomination">
                        <p class="links"><a href=format!("/campaigns/{}", c.id)>{format!("← {}", c.title)}</a></p>
                        {n.photo_url.clone().map(|u| view! { <img class="nomination-photo" src=u alt=n.nominee_name.clone()/> })}
                        <h1>{n.nominee_name.clone()}" "<span class="tag">{n.category.clone()}</span>
                            {n.winner.then(|| view! { " "<span class="tag winner">"当选"</span> })}</h1>
                        {(n.status != "approved").then(|| view! {
                            <p class="muted" data-test-id="nomination-status">{format!("状态：{}", n.status_label)}
                                {n.reject_reason.clone().map(|r| format!("。原因：{r}"))}</p>
                        })}
                        <p class="story full">{n.story.clone()}</p>
                        {(n.status == "approved").then(|| view! {
                        <p class="votes"><strong data-test-id="vote-count">{n.vote_count}</strong>" 票 "
                            {vote_form(&n, &c, p.my.as_ref(), back.clone())}</p>
                        {(voted && error.is_none()).then(|| view! { <p class="saved" role="status">"投票成功！"</p> })}
                        <FormError error=error.clone()/>
                        <div class="share">
                            <label for="share-url">"分享链接"</label>
                            <input id="share-url" readonly value=p.share_url.clone() data-test-id="share-url"/>
                            <button type="button" class="btn small" data-share=p.share_url.clone()
                                data-share-title=format!("为{}投一票 · {}", n.nominee_name, c.title) hidden>"分享给朋友"</button>
                        </div>
                        })}
                    </section>
                }.into_any()
        }/>
    }
}

/// The ranking: live while voting, final after; admins mark winners.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let id = id_param();
    let data = Resource::new(id, campaign_results);
    let error = crate::returned_error!(MarkWinner);
    view! {
        <Loaded data=data render=move |p| {
                let error = error.clone();
                let c = p.campaign;
                let fin = c.phase == "ended";
                view! {
                    <Title text=format!("{} · 排名", c.title)/>
                    <section class="card">
                        <p class="links"><a href=format!("/campaigns/{}", c.id)>{format!("← {}", c.title)}</a></p>
                        <h1>{if fin { "评选结果" } else { "实时排名" }}</h1>
                        <p class="muted small">{if fin { "投票已结束，以下为最终票数。" } else { "投票进行中，票数实时更新。" }}</p>
                        <FormError error=error/>
                        <table class="ranking" data-test-id="ranking">
                            <thead><tr><th>"名次"</th><th>"候选人"</th><th>"类别"</th><th>"票数"</th>
                                {(p.admin && fin).then(|| view! { <th>"评选"</th> })}</tr></thead>
                            <tbody>
                                {p.ranking.into_iter().map(|r| view! {
                                    <tr data-test-id=format!("rank-{}", r.nomination_id)>
                                        <td>{r.rank}</td>
                                        <td><a href=format!("/nominations/{}", r.nomination_id)>{r.nominee_name.clone()}</a>
                                            {r.winner.then(|| view! { " "<span class="tag winner">"当选"</span> })}</td>
                                        <td>{r.category.clone()}</td>
                                        <td>{r.vote_count}</td>
                                        {(p.admin && fin).then(|| view! {
                                            <td><form method="post" action=MarkWinner::PATH class="inline">
                                                <input type="hidden" name="nomination_id" value=r.nomination_id/>
                                                <input type="hidden" name="winner" value=(!r.winner).to_string()/>
                                                <button type="submit" class="btn small" data-test-id="mark-winner">
                                                    {if r.winner { "取消当选" } else { "评为好人" }}</button>
                                            </form></td>
                                        })}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }.into_any()
        }/>
    }
}

/// The 红榜: winners of every campaign, the latest first.
#[component]
pub fn HonorsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| honors_page());
    view! {
        <Title text="红榜"/>
        <section class="card honors-head">
            <h1>"红榜"</h1>
            <p class="muted">"历届评选出的身边好人。"</p>
        </section>
        <Loaded data=data render=move |list| {
                if list.is_empty() {
                    return view! { <p class="card muted">"评选结果公布后会在这里展示。"</p> }.into_any();
                }
                list.into_iter().map(|(c, winners)| view! {
                    <section class="card" data-test-id=format!("honors-{}", c.id)>
                        <h2><a href=format!("/campaigns/{}/results", c.id)>{c.title.clone()}</a></h2>
                        <ul class="nominees">
                            {winners.into_iter().map(|n| view! {
                                <li class="nominee" data-test-id=format!("honor-{}", n.id)>
                                    {picture(&n)}
                                    <div class="nominee-body">
                                        <h3><a href=format!("/nominations/{}", n.id)>{n.nominee_name.clone()}</a>
                                            " "<span class="tag">{n.category.clone()}</span></h3>
                                        <p class="story">{n.story.clone()}</p>
                                    </div>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }).collect_view().into_any()
        }/>
    }
}

/// Moderators: nominations waiting for review.
#[component]
pub fn NominationQueuePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| nomination_queue());
    let error = crate::returned_error!(ReviewNomination);
    let done = use_query_map().read_untracked().get("done").is_some();
    view! {
        <Title text="好人推荐审核"/>
        <section class="card">
            <h1>"好人推荐审核"</h1>
            {done.then(|| view! { <p class="saved" role="status" data-test-id="reviewed">"已审核，推荐人会收到通知。"</p> })}
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |list| {
                if list.is_empty() {
                    return view! { <p class="card muted" data-test-id="queue-empty">"没有待审核的推荐。"</p> }.into_any();
                }
                list.into_iter().map(|n| view! {
                    <section class="card" data-test-id=format!("review-{}", n.id)>
                        <p class="muted small">{format!("{} · 推荐人 {} · {}", n.campaign_title, n.nominator_name.clone().unwrap_or_default(), short_time(&n.created_at))}</p>
                        <h2>{n.nominee_name.clone()}" "<span class="tag">{n.category.clone()}</span></h2>
                        {n.thumb_url.clone().map(|u| view! { <img class="nominee-photo" src=u alt=""/> })}
                        <p class="story full">{n.story.clone()}</p>
                        <form method="post" action=ReviewNomination::PATH class="inline">
                            <input type="hidden" name="id" value=n.id/>
                            <input type="hidden" name="decision" value="approve"/>
                            <button type="submit" class="btn primary" data-test-id="approve">"通过并公示"</button>
                        </form>
                        <form method="post" action=ReviewNomination::PATH class="stack">
                            <input type="hidden" name="id" value=n.id/>
                            <input type="hidden" name="decision" value="reject"/>
                            <label>"驳回原因"<input name="reason" required minlength="2" maxlength="200" data-test-id="reject-reason"/></label>
                            <button type="submit" class="btn" data-test-id="reject">"驳回"</button>
                        </form>
                    </section>
                }).collect_view().into_any()
        }/>
    }
}

/// `2026-12-01T08:00:00+08:00` → `2026-12-01T08:00` for a `datetime-local`
/// input (the campaign's times are already in the city's zone).
fn local(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or_default().to_owned()
}

#[component]
fn CampaignForm(c: Option<Campaign>) -> impl IntoView {
    let v = |f: fn(&Campaign) -> String| c.as_ref().map(f).unwrap_or_default();
    let id = c.as_ref().map(|c| c.id);
    view! {
        <form method="post" action=SaveCampaign::PATH class="stack" data-test-id=if id.is_some() { "edit-campaign" } else { "new-campaign" }>
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <label>"名称"<input name="title" required value=v(|c| c.title.clone()) data-test-id="campaign-title"/></label>
            <label>"简介"<textarea name="description" rows="3">{v(|c| c.description.clone())}</textarea></label>
            <label>"推荐开始"<input type="datetime-local" name="nomination_starts_at" required value=v(|c| local(&c.nomination_starts_at))/></label>
            <label>"推荐截止"<input type="datetime-local" name="nomination_ends_at" required value=v(|c| local(&c.nomination_ends_at))/></label>
            <label>"投票开始"<input type="datetime-local" name="voting_starts_at" required value=v(|c| local(&c.voting_starts_at))/></label>
            <label>"投票截止"<input type="datetime-local" name="voting_ends_at" required value=v(|c| local(&c.voting_ends_at))/></label>
            <label>"每人每天票数"<input type="number" name="votes_per_day" min="1" max="20" inputmode="numeric"
                value=c.as_ref().map(|c| c.votes_per_day).unwrap_or(3)/></label>
            <label>"注册满多少小时可投票"<input type="number" name="min_account_age_hours" min="0" max="720" inputmode="numeric"
                value=c.as_ref().map(|c| c.min_account_age_hours).unwrap_or(24)/></label>
            <button type="submit" class="btn primary" data-test-id="save-campaign">{if id.is_some() { "保存修改" } else { "创建评选" }}</button>
        </form>
    }
}

/// Admins: campaigns, a new one, and each one's form.
#[component]
pub fn AdminCampaignsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_campaigns());
    let saved = use_query_map().read_untracked().get("saved").is_some();
    let error = crate::returned_error!(SaveCampaign);
    view! {
        <Title text="评选管理"/>
        <section class="card">
            <h1>"评选管理"</h1>
            <p class="muted small">"时间均为本市时间。"</p>
            {saved.then(|| view! { <p class="saved" role="status" data-test-id="saved">"已保存。"</p> })}
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |list| {
                view! {
                <section class="card">
                    <details open=list.is_empty()>
                        <summary>"新建评选"</summary>
                        <CampaignForm c=None/>
                    </details>
                </section>
                {list.into_iter().map(|c| view! {
                    <section class="card" data-test-id=format!("admin-campaign-{}", c.id)>
                        <h2><a href=format!("/campaigns/{}", c.id)>{c.title.clone()}</a></h2>
                        <p class="muted small">{format!("{} · 公示{}人 · 当选{}人", c.phase_label, c.nomination_count, c.winner_count)}
                            " · "<a href=format!("/campaigns/{}/results", c.id)>"排名与评选结果"</a></p>
                        <details>
                            <summary>"修改"</summary>
                            <CampaignForm c=Some(c.clone())/>
                        </details>
                    </section>
                }).collect_view()}
                }.into_any()
        }/>
    }
}
