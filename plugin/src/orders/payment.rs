//! Payment: Pay on Account detection, credit checks, and unpaid upfront orders.
//!
//! Prevents: on-account orders arriving unpaid and held for payment, and
//! credit problems (not an account customer, on hold, over limit) going unseen.

use crate::orders::shopify::Order;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::show;
use crate::shared::reference::Customer;
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
}

pub fn assess(
    profile: &Profile,
    order: &Order,
    customer: Option<&Customer>,
    gross: Decimal,
    issues: &mut Vec<Issue>,
) -> Payment {
    let types = &profile.orders.payment_types;
    let found = order.note_attributes.iter().enumerate().find(|(_, a)| a.name == PAYMENT_TYPE_ATTRIBUTE);
    let status = order.financial_status.as_deref().unwrap_or("");
    let terms = order.payment_terms.as_ref();
    let terms_name = terms.and_then(|t| t.payment_terms_name.clone());

    let on_account = match found {
        Some((_, a)) if types.on_account.iter().any(|t| *t == a.value) => true,
        Some((_, a)) if types.upfront.iter().any(|t| *t == a.value) => false,
        Some((i, a)) => {
            issues.push(Issue::new(
                Code::PAYMENT_TYPE_UNKNOWN,
                format!("/note_attributes/{i}/value"),
                format!("sparkPaymentType {:?} is neither an on-account nor an upfront type in the profile; confirm how this order is paid", a.value),
            ));
            // Unknown: treat as on account only when Shopify itself shows terms.
            terms.is_some() && status == "pending"
        }
        // No SparkLayer type: pending with payment terms is how on-account arrives.
        None => terms.is_some() && status == "pending",
    };

    if on_account {
        let description = match &terms_name {
            Some(name) => format!("Pay on Account ({name})"),
            None => "Pay on Account".to_owned(),
        };
        issues.push(Issue::new(
            Code::ON_ACCOUNT,
            "/note_attributes",
            format!(
                "{description}: sent as order type {} with no payment and no payment hold",
                profile.orders.order_types.on_account
            ),
        ));
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
            if let Some(available) = credit.available_to_spend {
                if gross > available {
                    flag(format!(
                        "order gross {} exceeds the customer's available-to-spend {} by {}; raise the limit or take payment",
                        show(gross), show(available), show(gross - available)
                    ));
                }
            }
        }
        return Payment { on_account, description, hold_for_payment: false };
    }

    let paid = matches!(status, "paid" | "authorized");
    if !paid {
        issues.push(Issue::new(
            Code::PAYMENT_UNCONFIRMED,
            "/financial_status",
            format!("an upfront-payment order with financial_status {status:?}: not paid or authorised; confirm payment before release"),
        ));
    }
    Payment {
        on_account,
        description: format!("Paid upfront ({})", if status.is_empty() { "status unknown" } else { status }),
        hold_for_payment: !paid,
    }
}
