//! The customer account and the delivery address.
//!
//! Prevents: orders booked to no account (or the wrong one), and deliveries
//! missing a line of the address. Every Shopify address field is carried.

use crate::orders::owapi::DeliveryAddress;
use crate::orders::shopify::{Address, Order};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::meter::Meter;
use crate::shared::reference::Customer;
use crate::shared::text::trim;

/// The order's customer email: the customer record's, else the order's.
pub fn email<'o>(order: &'o Order<'_>) -> Option<&'o str> {
    order
        .customer
        .as_ref()
        .and_then(|c| c.email.as_deref())
        .or(order.email.as_deref())
        .map(|e| trim(e, &order.work))
        .filter(|e| !e.is_empty())
}

/// The OrderWise account for the Shopify customer: by id, then by email.
pub fn customer<'p>(profile: &'p Profile, order: &Order, issues: &mut Vec<Issue>) -> Option<&'p Customer> {
    let id = order.customer.as_ref().and_then(|c| c.id.as_ref()).map(|id| id.text());
    let email = email(order);
    let found = profile.reference.customer(id.as_deref(), email);
    if found.is_none() {
        issues.push(Issue::new(
            Code::CUSTOMER_UNMAPPED,
            "/customer",
            format!(
                "Shopify customer {} <{}> has no OrderWise account in the profile; open or find the account and map it",
                id.as_deref().unwrap_or("(no id)"),
                email.unwrap_or("no email")
            ),
        ));
    }
    found
}

fn text(v: &Option<std::borrow::Cow<'_, str>>, work: &Meter) -> String {
    trim(v.as_deref().unwrap_or(""), work).to_owned()
}

/// The address the goods go to. A delivery needs the shipping address, in
/// full. A collection (no shipping line) needs none for a carrier, so with no
/// shipping address it takes the billing address, else the customer's default
/// address, else none: it is never held for an address nobody uses.
pub fn delivery_address(
    order: &Order,
    method_id: Option<u32>,
    collection: bool,
    issues: &mut Vec<Issue>,
) -> DeliveryAddress {
    let empty = Address::default();
    let a = match (&order.shipping_address, collection) {
        (Some(a), _) => a,
        (None, true) => {
            let default = order.customer.as_ref().and_then(|c| c.default_address.as_ref());
            let (a, from) = match (&order.billing_address, default) {
                (Some(a), _) => (a, "the billing address"),
                (None, Some(a)) => (a, "the customer's default address"),
                (None, None) => (&empty, "left empty (none is needed to collect)"),
            };
            issues.push(Issue::new(
                Code::COLLECTION_ADDRESS,
                "/shipping_address",
                format!("a collection order with no shipping address: the delivery address is {from}"),
            ));
            a
        }
        (None, false) => {
            issues.push(Issue::new(
                Code::ADDRESS_INCOMPLETE,
                "/shipping_address",
                "the order has no shipping address; ask the customer where to deliver",
            ));
            &empty
        }
    };
    let address = address_of(order, a, method_id);
    if order.shipping_address.is_some() && !collection {
        check_complete(&address, issues);
    }
    address
}

fn address_of(order: &Order, a: &Address, method_id: Option<u32>) -> DeliveryAddress {
    let contact = [text(&a.first_name, &order.work), text(&a.last_name, &order.work)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let company = text(&a.company, &order.work);
    DeliveryAddress {
        delivery_name: if company.is_empty() { contact.clone() } else { company },
        contact_name: contact,
        address1: text(&a.address1, &order.work),
        address2: text(&a.address2, &order.work),
        town: text(&a.city, &order.work),
        county: text(&a.province, &order.work),
        country: text(&a.country, &order.work),
        country_code: text(&a.country_code, &order.work),
        postcode: text(&a.zip, &order.work),
        telephone: text(&a.phone, &order.work),
        email: email(order).unwrap_or("").to_owned(),
        delivery_method_id: method_id,
    }
}

/// A carrier needs a name, the first line, the town, the postcode and the country.
fn check_complete(address: &DeliveryAddress, issues: &mut Vec<Issue>) {
    let required = [
        ("name", &address.delivery_name, "a company or contact name"),
        ("address1", &address.address1, "the first address line"),
        ("city", &address.town, "the town"),
        ("zip", &address.postcode, "the postcode"),
        ("country_code", &address.country_code, "the country code"),
    ];
    for (field, value, what) in required {
        if value.is_empty() {
            let at =
                if field == "name" { "/shipping_address".to_owned() } else { format!("/shipping_address/{field}") };
            issues.push(Issue::new(
                Code::ADDRESS_INCOMPLETE,
                at,
                format!("the shipping address is missing {what}; the carrier needs it"),
            ));
        }
    }
}
