//! 积分兑换: the gift shop, my redemptions with the pickup code (text and
//! QR), the staff's fulfilment console and the admin's gift list. Plain
//! forms posting to server functions; nothing here needs WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{FormError, Loaded};
use crate::api::{
    AddGift, CancelRedemption, FulfilCode, RedeemGift, UpdateGift, admin_gifts, fulfil_lookup,
    gift_shop, my_redemptions,
};
use crate::domain::points::FULFIL_PATH;
use crate::domain::report::short_time;
use crate::models::Gift;

fn picture(g: &Gift) -> AnyView {
    match &g.photo_url {
        Some(u) => {
            view! { <img class="gift-photo" src=u.clone() alt=g.name.clone() loading="lazy"/> }
                .into_any()
        }
        None => view! { <div class="gift-photo none" aria-hidden="true">"礼"</div> }.into_any(),
    }
}

/// The catalogue with cost and stock left; redeem with a plain form.
#[component]
pub fn ShopPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| gift_shop());
    let error = crate::returned_error!(RedeemGift);
    view! {
        <Title text="积分兑换"/>
        <section class="card">
            <h1>"积分兑换"</h1>
            <p class="muted">"兑换后凭领取码到指定地点领取；领取前可以取消，积分退回。"</p>
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |shop| {
                let balance = shop.balance;
                view! {
                    {match balance {
                        Some(b) => view! { <p class="card" data-test-id="shop-balance">"我的积分："<strong>{b}</strong></p> }.into_any(),
                        None => view! { <p class="card"><a href="/login?next=/gifts">"登录"</a>"后即可兑换。"</p> }.into_any(),
                    }}
                    {if shop.gifts.is_empty() {
                        view! {
                            <section class="card empty" data-test-id="no-gifts">
                                <p>"暂时没有可兑换的礼品，上新后会在这里显示。"</p>
                                <p><a href="/points">"先看看我的积分"</a></p>
                            </section>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="gifts">
                                {shop.gifts.into_iter().map(|g| {
                                    let affordable = balance.is_some_and(|b| b >= g.cost);
                                    let id = g.id;
                                    view! {
                                        <li class="card gift" data-test-id=format!("gift-{id}")>
                                            {picture(&g)}
                                            <div>
                                                <h2>{g.name.clone()}</h2>
                                                {(!g.description.is_empty()).then(|| view! { <p class="muted small">{g.description.clone()}</p> })}
                                                <p><strong>{format!("{}积分", g.cost)}</strong>" · "
                                                    <span data-test-id="stock">{if g.stock > 0 { format!("剩余{}件", g.stock) } else { "已兑完".into() }}</span></p>
                                                {(balance.is_some() && g.stock > 0).then(|| view! {
                                                    <form method="post" action=RedeemGift::PATH class="inline">
                                                        <input type="hidden" name="gift_id" value=id/>
                                                        <button type="submit" class="btn primary" disabled=!affordable data-test-id="redeem">
                                                            {if affordable { "兑换" } else { "积分不足" }}
                                                        </button>
                                                    </form>
                                                })}
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any()
        }/>
    }
}

/// My redemptions: the pickup code as text and QR while it waits, cancel.
#[component]
pub fn RedemptionsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_redemptions());
    let query = use_query_map();
    let new = query
        .read_untracked()
        .get("new")
        .and_then(|n| n.parse::<i64>().ok());
    let cancelled = query.read_untracked().get("cancelled").is_some();
    let error = crate::returned_error!(CancelRedemption);
    view! {
        <Title text="我的兑换"/>
        <section class="card">
            <h1>"我的兑换"</h1>
            <p class="links"><a href="/gifts">"← 积分兑换"</a></p>
            {new.map(|_| view! { <p class="saved" role="status" data-test-id="redeemed">"兑换成功！请凭下面的领取码领取。"</p> })}
            {cancelled.then(|| view! { <p class="saved" role="status">"已取消，积分已退回。"</p> })}
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |list| {
                if list.is_empty() {
                    return view! {
                        <section class="card empty" data-test-id="no-redemptions">
                            <p>"还没有兑换记录。"</p>
                            <p><a class="btn primary" href="/gifts">"用积分兑换礼品"</a></p>
                        </section>
                    }.into_any();
                }
                list.into_iter().map(|c| {
                    let r = c.redemption;
                    let pending = r.status == "pending_pickup";
                    view! {
                        <section class="card redemption" data-test-id=format!("redemption-{}", r.id)>
                            <h2>{r.gift_name.clone()}</h2>
                            <p class="muted small">{format!("{} · {}积分 · ", short_time(&r.created_at), r.cost)}
                                <span data-test-id="redemption-status">{r.status_label.clone()}</span></p>
                            {pending.then(|| view! {
                                <p class="code">"领取码 "<strong data-test-id="code">{r.code.clone()}</strong></p>
                                <div class="qr" data-test-id="qr" inner_html=c.qr_svg.clone()></div>
                                <form method="post" action=CancelRedemption::PATH class="inline">
                                    <input type="hidden" name="id" value=r.id/>
                                    <button type="submit" class="btn small" data-test-id="cancel-redemption">"取消兑换，退回积分"</button>
                                </form>
                            })}
                        </section>
                    }
                }).collect_view().into_any()
        }/>
    }
}

/// Unit staff and admins: type or scan a code, see what to hand over, mark
/// it collected.
#[component]
pub fn FulfilPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("code"), fulfil_lookup);
    let done = query.read_untracked().get("done").is_some();
    let typed = query.read_untracked().get("code").unwrap_or_default();
    let error = crate::returned_error!(FulfilCode);
    let scan = match query.read_untracked().get("scan").as_deref() {
        Some("failed") => Some("照片里没有读到领取码，请对准二维码、靠近一些重拍，或手动输入。"),
        Some("unknown") => Some("读到了二维码，但没有这个领取码。"),
        _ => None,
    };
    view! {
        <Title text="礼品领取核销"/>
        <section class="card">
            <h1>"礼品领取核销"</h1>
            <form method="post" enctype="multipart/form-data" action="/api/v1/redemptions/scan" class="stack" data-scan>
                <label class="btn primary block big">"扫描领取码（拍照）"
                    <input type="file" name="photo" accept="image/*" capture="environment" class="sr-only" data-test-id="scan-photo"/>
                </label>
                <noscript><button type="submit" class="btn block" data-test-id="scan-submit">"识别照片中的领取码"</button></noscript>
                <p class="form-error" role="alert" data-test-id="scan-error">{scan}</p>
            </form>
            <p class="muted">"也可以用手机相机或微信扫一扫直接扫描领取码，或在下面输入。"</p>
            <form method="get" action=FULFIL_PATH class="search">
                <label for="code" class="sr-only">"领取码"</label>
                <input id="code" name="code" type="text" autocapitalize="characters" autocomplete="off"
                    placeholder="输入或扫描领取码" value=typed data-test-id="fulfil-code"/>
                <button type="submit" class="btn" data-test-id="lookup">"查询"</button>
            </form>
            <FormError error=error/>
            {done.then(|| view! { <p class="saved" role="status" data-test-id="fulfilled">"已核销，礼品已领取。"</p> })}
        </section>
        <Loaded data=data render=move |v| match v {
                    None => ().into_any(),
                    Some(r) => view! {
                        <section class="card" data-test-id="fulfil-preview">
                            <h2>{r.gift_name.clone()}</h2>
                            <p>{format!("领取码 {} · {}", r.code, r.status_label)}</p>
                            {(r.status == "pending_pickup").then(|| view! {
                                <form method="post" action=FulfilCode::PATH class="stack">
                                    <input type="hidden" name="code" value=r.code.clone()/>
                                    <button type="submit" class="btn primary block big" data-test-id="fulfil">"确认交付礼品"</button>
                                </form>
                            })}
                        </section>
                    }.into_any(),
        }/>
    }
}

/// Admins: gifts (also hidden ones), a new gift, restock, hide or show.
#[component]
pub fn AdminGiftsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_gifts());
    let saved = use_query_map().read_untracked().get("saved").is_some();
    let error = crate::returned_error!(AddGift, UpdateGift);
    view! {
        <Title text="礼品管理"/>
        <Loaded data=data render=move |gifts| {
                let error = error.clone();
                view! {
                    <section class="card">
                        <h1>"礼品管理"</h1>
                        <FormError error=error/>
                        {saved.then(|| view! { <p class="saved" role="status" data-test-id="saved">"已保存。"</p> })}
                        <form method="post" action=AddGift::PATH class="stack">
                            <label>"礼品名称"<input type="text" name="name" maxlength="60" required=true data-test-id="gift-name"/></label>
                            <label>"说明"<input type="text" name="description" maxlength="500" data-test-id="gift-description"/></label>
                            <div class="row">
                                <label>"所需积分"<input type="number" name="cost" min="1" required=true inputmode="numeric" data-test-id="gift-cost"/></label>
                                <label>"库存"<input type="number" name="stock" min="0" required=true inputmode="numeric" data-test-id="gift-stock"/></label>
                            </div>
                            <button type="submit" class="btn primary" data-test-id="add-gift">"上架礼品"</button>
                        </form>
                    </section>
                    {gifts.into_iter().map(|g| view! {
                        <section class="card" data-test-id=format!("admin-gift-{}", g.id)>
                            {picture(&g)}
                            <h2>{g.name.clone()}{g.hidden.then_some("（已下架）")}</h2>
                            <form method="post" enctype="multipart/form-data" class="inline-form"
                                action=format!("/api/v1/admin/gifts/{}/photo", g.id) data-upload=format!("/api/v1/admin/gifts/{}/photo", g.id)>
                                <label class="btn">"选择图片"<input type="file" name="photo" accept="image/jpeg,image/png,image/webp" class="sr-only" data-test-id="gift-photo"/></label>
                                <button type="submit" class="btn" data-test-id="gift-photo-submit">"上传图片"</button>
                                <p class="form-error" role="alert"></p>
                            </form>
                            <p class="muted">{format!("{}积分 · 库存{}", g.cost, g.stock)}</p>
                            <form method="post" action=UpdateGift::PATH class="inline-form">
                                <input type="hidden" name="id" value=g.id/>
                                <label>"补货数量"<input type="number" name="restock" min="1" inputmode="numeric" data-test-id="restock"/></label>
                                <button type="submit" class="btn" data-test-id="restock-submit">"补货"</button>
                            </form>
                            <form method="post" action=UpdateGift::PATH class="inline">
                                <input type="hidden" name="id" value=g.id/>
                                <input type="hidden" name="hidden" value=if g.hidden { "0" } else { "1" }/>
                                <button type="submit" class="btn small" data-test-id="toggle-hidden">{if g.hidden { "重新上架" } else { "下架" }}</button>
                            </form>
                        </section>
                    }).collect_view()}
                }.into_any()
        }/>
    }
}
