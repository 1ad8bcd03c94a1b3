//! Payment: Pay on Account detection, credit checks, unpaid upfront orders,
//! and the payment of paid ones (and of an on-account order's deposit).
//!
//! Prevents: on-account orders arriving unpaid and held for payment, credit
//! problems (not an account customer, on hold, over limit) going unseen, and
//! a paid order (or a deposit) showing in OrderWise as owed (its payment
//! never sent, so payouts cannot be matched and credit control chases money
//! already paid).

use crate::orders::currency::{Booking, Side};
use crate::orders::shopify::{Order, Transaction, Value};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::meter::Meter;
use crate::shared::money::{parse_amount, show};
use crate::shared::reference::Customer;
use crate::shared::text::{quoted, reads_as, trim, visible};
use rust_decimal::Decimal;

/// The note attribute SparkLayer writes the payment type into [doc].
pub const PAYMENT_TYPE_ATTRIBUTE: &str = "sparkPaymentType";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Routed to the B2B account workflow: distinct order type, no payment hold.
    pub on_account: bool,
    /// For the sales order's special instructions, e.g. "Pay on Account (Net 30)".
    pub description: String,
    /// An upfront order whose payment is not confirmed is held in OrderWise.
    pub hold_for_payment: bool,
    /// What was paid upfront: an order Shopify shows `paid` (or paid, then
    /// partly refunded), a payment per gateway when it was split; or the
    /// deposit of an on-account order. Empty when nothing was paid upfront.
    pub paid: Vec<Paid>,
}

/// A payment taken upfront, as OrderWise books it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub amount: Decimal,
    /// The OrderWise payment method of the gateway; `None` (with an issue) when unmapped.
    pub method_id: Option<u32>,
    pub gateway: String,
    /// The gateway's reference for the payment, when the payload has one.
    pub reference: Option<String>,
}

pub fn assess(
    profile: &Profile,
    order: &Order,
    customer: Option<&Customer>,
    gross: Decimal,
    booking: &Booking,
    issues: &mut Vec<Issue>,
) -> Payment {
    let types = &profile.orders.payment_types;
    let found = order.note_attributes.iter().enumerate().find(|(_, a)| a.name == PAYMENT_TYPE_ATTRIBUTE);
    // Read as it looks and without regard to ASCII case, as gateways and PO
    // attribute names are: " PaymentOnAccount" is still on account.
    // (The profile's types are stored as they look: `Settings::read`.)
    let given = found.and_then(|(_, a)| a.value.text()).map(|t| visible(t, &order.work));
    let is_one_of =
        |types: &[String]| given.as_deref().is_some_and(|g| types.iter().any(|t| t.eq_ignore_ascii_case(g)));
    let status = order.financial_status.as_deref().unwrap_or("");
    let terms = order.payment_terms.as_ref();
    let terms_name = terms.and_then(|t| t.payment_terms_name.clone());
    // Pending is how on-account arrives; partially paid, when a deposit was
    // taken at checkout and the rest is on terms.
    let unpaid_on_terms = matches!(status, "pending" | "partially_paid");

    let on_account = match found {
        Some(_) if is_one_of(&types.on_account) => true,
        Some(_) if is_one_of(&types.upfront) => false,
        Some((i, a)) => {
            issues.push(Issue::new(
                Code::PAYMENT_TYPE_UNKNOWN,
                format!("/note_attributes/{i}/value"),
                format!("sparkPaymentType holds {}, which is neither an on-account nor an upfront type in the profile; confirm how this order is paid", a.value.describe()),
            ));
            // Unknown: treat as on account only when Shopify itself shows terms.
            terms.is_some() && unpaid_on_terms
        }
        // No SparkLayer type: unpaid with payment terms is how on-account
        // arrives; so is unpaid through a gateway the profile names as on account.
        None => (terms.is_some() || on_account_gateway(profile, order)) && unpaid_on_terms,
    };

    if on_account {
        let description = match &terms_name {
            // Copied into the description, the ON_ACCOUNT message and the
            // special instructions: counted by the byte (`Meter::pass`).
            Some(name) if order.work.pass(3 * name.len()) => format!("Pay on Account ({name})"),
            _ => "Pay on Account".to_owned(),
        };
        let paid = match status {
            "partially_paid" => deposit(profile, order, gross, booking, issues),
            "paid" | "partially_refunded" => paid_on_account(profile, order, gross, booking, issues),
            _ => Vec::new(),
        };
        let order_type = profile.orders.order_types.on_account;
        let taken: Decimal = paid.iter().map(|p| p.amount).sum();
        let message = match paid.first() {
            None => format!("{description}: sent as order type {order_type} with no payment and no payment hold"),
            Some(_) if status == "partially_paid" => format!(
                "{description}: sent as order type {order_type} with the deposit of {} paid at checkout and no payment hold",
                show(taken)
            ),
            Some(_) => format!(
                "{description}: sent as order type {order_type} with its payment of {}, already taken, and no payment hold",
                show(taken)
            ),
        };
        issues.push(Issue::new(Code::ON_ACCOUNT, "/note_attributes", message));
        if let Some(credit) = customer.and_then(|c| profile.reference.credit_of(c)) {
            let mut flag = |what: String| issues.push(Issue::new(Code::PAY_ON_ACCOUNT_CREDIT, "/customer", what));
            if !credit.account_customer {
                flag(
                    "the customer is not an OrderWise account customer; approve an account or take payment upfront"
                        .to_owned(),
                );
            }
            if credit.on_hold || credit.manual_on_hold {
                flag("the customer's OrderWise account is on hold; credit control must release it before this order ships".to_owned());
            }
            if credit.over_credit_terms {
                flag(
                    "the customer is over their credit terms (overdue invoices); credit control must clear it"
                        .to_owned(),
                );
            }
            // What goes on credit: the gross less what was paid already.
            let on_credit = gross - taken;
            if let Some(available) = credit.available_to_spend {
                if on_credit > available {
                    let what = if on_credit == gross { "order gross" } else { "order gross less what was paid" };
                    flag(format!(
                        "{what} {} exceeds the customer's available-to-spend {} by {}; raise the limit or take payment",
                        show(on_credit),
                        show(available),
                        show(on_credit - available)
                    ));
                }
            }
        }
        return Payment { on_account, description, hold_for_payment: false, paid };
    }

    // Paid, then partly refunded, is still paid: the sales order carries the
    // current totals, which Shopify gives net of refunds as of edits (or,
    // after a refund of money alone, the placed ones with the payment as
    // taken: edits.rs).
    let taken = matches!(status, "paid" | "partially_refunded");
    let confirmed = taken || status == "authorized";
    if !confirmed {
        issues.push(Issue::new(
            Code::PAYMENT_UNCONFIRMED,
            "/financial_status",
            format!("an upfront-payment order with financial_status {}: not paid or authorised; confirm payment before release", quoted(status)),
        ));
    }
    // Authorised is promised, not taken: only a paid order carries a payment.
    let paid = if taken { payments(profile, order, gross, booking, issues) } else { Vec::new() };
    for unmapped in paid.iter().filter(|p| p.method_id.is_none()) {
        issues.push(Issue::new(
            Code::PAYMENT_METHOD_UNMAPPED,
            "/payment_gateway_names",
            format!(
                "the order was paid through gateway {}, which orders.paymentMethods does not map to an OrderWise payment method; without it the paid invoice shows as owed: add the gateway",
                quoted(&unmapped.gateway)
            ),
        ));
    }
    Payment {
        on_account,
        description: format!("Paid upfront ({})", if status.is_empty() { "status unknown" } else { status }),
        hold_for_payment: !confirmed,
        paid,
    }
}

/// Whether the order went through a gateway the profile says means Pay on
/// Account (`paymentTypes.onAccountGateways`), names compared as they read.
fn on_account_gateway(profile: &Profile, order: &Order) -> bool {
    order.payment_gateway_names.iter().any(|g| is_on_account_gateway(profile, g, &order.work))
}

fn is_on_account_gateway(profile: &Profile, gateway: &str, work: &Meter) -> bool {
    profile.orders.payment_types.on_account_gateways.iter().any(|c| reads_as(c, gateway, work))
}

/// The deposit of an on-account order that Shopify shows `partially_paid`:
/// the order gross less what is outstanding, by the gateways that took it.
/// None, with a warning for finance, when it cannot be sent: the order
/// still goes through on account, never held for its deposit.
fn deposit(profile: &Profile, order: &Order, gross: Decimal, booking: &Booking, issues: &mut Vec<Issue>) -> Vec<Paid> {
    let outstanding = match &order.total_outstanding {
        Value::Absent | Value::Null => None,
        Value::Text(t) | Value::Number(t) => Some(parse_amount(trim(t, &order.work)).map_err(|_| quoted(t))),
        other => Some(Err(other.describe())),
    };
    let why = match (booking.side, outstanding) {
        (Side::Presentment, _) => {
            "the order is booked in the buyer's currency and Shopify gives what is outstanding in the shop's only"
                .to_owned()
        }
        (Side::Shop, Some(Err(what))) => format!("total_outstanding holds {what}, not an amount"),
        (Side::Shop, Some(Ok(owed))) if owed > Decimal::ZERO && owed < gross => {
            return sent_on_account(
                payments(profile, order, gross - owed, booking, issues),
                "a deposit was paid at checkout (financial_status \"partially_paid\")",
                issues,
            );
        }
        (Side::Shop, None) => "the payload has no total_outstanding to work its amount from".to_owned(),
        (Side::Shop, Some(Ok(owed))) => {
            format!("total_outstanding {} is not between 0 and the order gross {}", show(owed), show(gross))
        }
    };
    issues.push(Issue::new(
        Code::ON_ACCOUNT_PAYMENT_NOT_SENT,
        "/total_outstanding",
        format!("a deposit was paid at checkout (financial_status \"partially_paid\") but is not sent: {why}; the order goes on account without it, so record the deposit in OrderWise or the whole invoice shows as owed"),
    ));
    Vec::new()
}

/// The payments of an on-account order Shopify already shows paid (its
/// invoice settled before the bridge saw it: a replay, a backlog; or paid,
/// then partly refunded), as for a paid upfront order.
///
/// Prevents: a settled invoice showing in OrderWise as owed, and credit
/// control chasing the customer for it.
fn paid_on_account(
    profile: &Profile,
    order: &Order,
    gross: Decimal,
    booking: &Booking,
    issues: &mut Vec<Issue>,
) -> Vec<Paid> {
    let paid = payments(profile, order, gross, booking, issues);
    sent_on_account(paid, "the order is on account but Shopify shows it paid", issues)
}

/// An on-account order's payments as sent: all of them, or, when a gateway
/// has no payment method, none, with a warning rather than a hold (the
/// order is on account either way).
fn sent_on_account(paid: Vec<Paid>, what: &str, issues: &mut Vec<Issue>) -> Vec<Paid> {
    let unmapped: Vec<String> = paid.iter().filter(|p| p.method_id.is_none()).map(|p| quoted(&p.gateway)).collect();
    if unmapped.is_empty() {
        return paid;
    }
    issues.push(Issue::new(
        Code::ON_ACCOUNT_PAYMENT_NOT_SENT,
        "/payment_gateway_names",
        format!(
            "{what}, and the payment is not sent: gateway {} has no OrderWise payment method in orders.paymentMethods; record the payment in OrderWise, or the invoice shows as owed",
            unmapped.join(", ")
        ),
    ));
    Vec::new()
}

/// The payments that make up `amount`. The transactions (successful sales
/// and captures in the booked currency) decide when they add up to it: a
/// payment per gateway, of what it took (a gift card and a card, say); or,
/// after a refund, when what each gateway took less what it gave back adds
/// up to it (an order refunded in part is booked as it stands now, so its
/// payments are too). Otherwise one payment of the whole by the gateway that
/// took it, and when the order names more than one paying gateway,
/// `PAYMENT_SPLIT_UNCLEAR`.
///
/// Prevents: a split payment booked whole to its first gateway with nobody
/// told, so that neither gateway's payout matches what OrderWise holds.
fn payments(
    profile: &Profile,
    order: &Order,
    amount: Decimal,
    booking: &Booking,
    issues: &mut Vec<Issue>,
) -> Vec<Paid> {
    let by_gateway = by_gateway(order, booking);
    let total: Option<Decimal> = by_gateway.iter().map(|g| g.took).sum();
    // Net of refunds per gateway: none when a gateway gave back more than it
    // took (the refund went elsewhere, and no split of it can be trusted).
    let net: Option<Decimal> =
        by_gateway.iter().map(|g| g.took.zip(g.gave_back).map(|(t, r)| t - r).filter(|n| *n >= Decimal::ZERO)).sum();
    let refunds = by_gateway.iter().any(|g| g.gave_back != Some(Decimal::ZERO));
    // As taken (a refund of money alone posts the order as placed, its
    // payment as taken: edits.rs), else net of refunds.
    let split = if by_gateway.is_empty() {
        None
    } else if total == Some(amount) {
        Some(false)
    } else if refunds && net == Some(amount) {
        Some(true)
    } else {
        None
    };
    if let Some(netted) = split {
        return by_gateway
            .into_iter()
            .filter_map(|g| {
                let took = g.took.unwrap_or_default();
                let amount = if netted { took - g.gave_back.unwrap_or_default() } else { took };
                // A gateway that gave back all it took holds no payment.
                (!netted || amount > Decimal::ZERO).then(|| Paid {
                    amount,
                    method_id: method_of(profile, g.gateway, &order.work),
                    gateway: g.gateway.to_owned(),
                    reference: g.reference.map(str::to_owned),
                })
            })
            .collect();
    }
    let whole = paid_by(profile, order, amount);
    // The gateways that take money: the transactions', and the order's own
    // list less the on-account ones (which take none).
    let mut paying: Vec<&str> = by_gateway.iter().map(|g| g.gateway).collect();
    for g in order.payment_gateway_names.iter().map(|g| trim(g, &order.work)) {
        if !is_on_account_gateway(profile, g, &order.work) && !paying.iter().any(|p| reads_as(p, g, &order.work)) {
            paying.push(g);
        }
    }
    if paying.len() > 1 {
        let why = match total {
            _ if by_gateway.is_empty() => "the payload has no transactions to split it by".to_owned(),
            Some(total) => match net.filter(|_| refunds) {
                Some(net) => format!(
                    "its transactions add up to {} ({} less refunds), not {}",
                    show(total),
                    show(net),
                    show(amount)
                ),
                None => format!("its transactions add up to {}, not {}", show(total), show(amount)),
            },
            None => format!("its transactions do not all give an amount in {}", booking.currency),
        };
        let gateways: Vec<String> = paying.iter().map(|g| quoted(g)).collect();
        let at = if by_gateway.is_empty() { "/payment_gateway_names" } else { "/transactions" };
        issues.push(Issue::new(
            Code::PAYMENT_SPLIT_UNCLEAR,
            at,
            format!(
                "{} was paid through {} gateways ({}), but {why}: sent as one payment by {}; split it in OrderWise so each payout matches",
                show(amount),
                paying.len(),
                gateways.join(", "),
                quoted(&whole.gateway)
            ),
        ));
    }
    vec![whole]
}

/// What one gateway took and gave back, by the order's transactions.
struct ByGateway<'o> {
    gateway: &'o str,
    /// The successful sales and captures; `None` when one's amount is not
    /// in the booked currency.
    took: Option<Decimal>,
    /// The successful refunds, likewise.
    gave_back: Option<Decimal>,
    /// The first sale's or capture's reference.
    reference: Option<&'o str>,
}

/// The gateways that took money, in the order of their first sale or
/// capture (a refund's gateway that took nothing is no paying gateway),
/// names compared as they read.
#[inline(never)]
fn by_gateway<'o>(order: &'o Order, booking: &Booking) -> Vec<ByGateway<'o>> {
    let mut out: Vec<ByGateway> = Vec::new();
    let work = &order.work;
    let amount = |t: &Transaction| {
        let in_booked = t.currency.as_deref().is_none_or(|c| trim(c, work).eq_ignore_ascii_case(&booking.currency));
        t.amount.filter(|_| in_booked).map(|a| a.0)
    };
    let gateway = |t: &'o Transaction| t.gateway.as_deref().map_or("", |g| trim(g, work));
    for t in order.transactions.iter().filter(|t| taken(t)) {
        let reference = t.authorization.as_deref().map(|a| trim(a, work)).filter(|r| !r.is_empty());
        match out.iter_mut().find(|g| reads_as(g.gateway, gateway(t), work)) {
            Some(g) => {
                g.took = sum(g.took, amount(t));
                g.reference = g.reference.or(reference);
            }
            None => {
                out.push(ByGateway { gateway: gateway(t), took: amount(t), gave_back: Some(Decimal::ZERO), reference })
            }
        }
    }
    for t in order.transactions.iter().filter(|t| refunded(t)) {
        if let Some(g) = out.iter_mut().find(|g| reads_as(g.gateway, gateway(t), work)) {
            g.gave_back = sum(g.gave_back, amount(t));
        }
    }
    out
}

/// Both amounts added; `None` when either is unknown. Out of line: the
/// 96-bit addition inlined at each use costs the component ~1,000 wasm
/// instructions apiece.
#[inline(never)]
fn sum(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    a.zip(b).map(|(a, b)| a + b)
}

/// A successful sale or capture: money taken.
fn taken(t: &Transaction) -> bool {
    matches!(t.kind.as_deref(), Some("sale" | "capture")) && t.status.as_deref() == Some("success")
}

/// A successful refund: money given back.
fn refunded(t: &Transaction) -> bool {
    t.kind.as_deref() == Some("refund") && t.status.as_deref() == Some("success")
}

fn method_of(profile: &Profile, gateway: &str, work: &Meter) -> Option<u32> {
    profile.orders.payment_methods.iter().find(|m| reads_as(&m.gateway, gateway, work)).map(|m| m.payment_method_id)
}

/// A payment of `amount`, by the gateway that took it (a successful sale or
/// capture transaction's, else the order's first gateway that is not an
/// on-account one), mapped to an OrderWise payment method (`None` when the
/// profile does not map it).
fn paid_by(profile: &Profile, order: &Order, amount: Decimal) -> Paid {
    let taken = order.transactions.iter().find(|t| taken(t));
    let named = || {
        let mut names = order.payment_gateway_names.iter().map(|g| g.as_ref());
        names.clone().find(|g| !is_on_account_gateway(profile, g, &order.work)).or_else(|| names.next())
    };
    let gateway = trim(taken.and_then(|t| t.gateway.as_deref()).or_else(named).unwrap_or(""), &order.work).to_owned();
    let method_id = method_of(profile, &gateway, &order.work);
    let reference =
        taken.and_then(|t| t.authorization.as_deref()).map(|a| trim(a, &order.work)).filter(|r| !r.is_empty());
    Paid { amount, method_id, gateway, reference: reference.map(str::to_owned) }
}
