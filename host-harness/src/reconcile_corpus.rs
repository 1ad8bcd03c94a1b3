//! `host-harness reconcile-corpus`: the three inputs of a reconciliation at
//! scale (SparkLayer orders, the bridge's outcomes, an OrderWise export), for
//! the benchmark in docs/benchmarks.md. Generated, not committed: realistic
//! payloads for the bundled profile's two customers, spread over one month,
//! with every kind of exception mixed in at fixed intervals so the run does
//! real work on each path (penny differences, hand-keyed rows, duplicates,
//! lost webhooks, stalled and held orders, credit notes, unpaired rows).

use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

pub struct Counts {
    pub orders: u64,
    pub outcomes: u64,
    pub rows: u64,
}

/// Pennies as `12.34`.
fn p(pennies: i64) -> String {
    let sign = if pennies < 0 { "-" } else { "" };
    let a = pennies.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Writes `orders.jsonl`, `outcomes.jsonl` and `orderwise.csv` into `dir`
/// for `n` orders in March 2025.
pub fn generate(dir: &Path, n: u64) -> Result<Counts> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let open = |name: &str| -> Result<BufWriter<std::fs::File>> {
        let path = dir.join(name);
        Ok(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        ))
    };
    let (mut orders, mut outcomes, mut export) =
        (open("orders.jsonl")?, open("outcomes.jsonl")?, open("orderwise.csv")?);
    writeln!(
        export,
        "type,orderNumber,eCommerceOrderNumber,customerOrderRef,customerAccount,orderDate,currency,net,vat,gross,status,invoiceNumber,invoiceDate,net:T1,vat:T1,net:T0,vat:T0"
    )?;
    let mut counts = Counts { orders: 0, outcomes: 0, rows: 0 };
    let customers =
        [(7201934471023u64, "orders@harbourcafe.co.uk", 2193u32), (7201934471099, "buying@quaysidedeli.co.uk", 2207)];
    let month_seconds: u64 = 31 * 86_400;
    for i in 1..=n {
        let key = format!("B2B{}", 100_000 + i);
        let (cid, email, account) = customers[(i % 2) as usize];
        // Spread over March (UTC), placed at a different second each.
        let t = (i * 2_654_435_761) % month_seconds;
        let (day, hh, mm, ss) = (1 + t / 86_400, t % 86_400 / 3600, t % 3600 / 60, t % 60);
        let stamp = format!("2025-03-{day:02}T{hh:02}:{mm:02}:{ss:02}+00:00");
        let po = format!("PO-{}", 40_000 + i);
        let cups = 12 * (1 + i % 5) as i64;
        let teas = 1 + (i % 7) as i64;
        let (net1, vat1) = (185 * cups, 37 * cups);
        let net2 = 640 * teas;
        let (ship, ship_vat) = (950i64, 190i64);
        let net = net1 + net2 + ship;
        let vat = vat1 + ship_vat;
        let gross = net + vat;
        writeln!(
            orders,
            r##"{{"id":{id},"name":"#{key}","order_number":{num},"created_at":"{stamp}","processed_at":"{stamp}","currency":"GBP","presentment_currency":"GBP","taxes_included":false,"financial_status":"pending","test":false,"note":null,"note_attributes":[{{"name":"sparkCartId","value":"9151f21f-43ae-43b4-92f3-{num:012}"}},{{"name":"sparkPaymentType","value":"paymentOnAccount"}},{{"name":"PO Number","value":"{po}"}}],"email":"{email}","customer":{{"id":{cid},"email":"{email}"}},"shipping_address":{{"first_name":"Sam","last_name":"Whitby","company":"Harbour Cafe","address1":"The Quay","city":"Falmouth","zip":"TR11 3XX","country":"United Kingdom","country_code":"GB"}},"line_items":[{{"id":{l1},"sku":"CUP-12OZ-WHT","quantity":{cups},"price":"1.85","tax_lines":[{{"rate":0.2,"price":"{vat1}","title":"VAT"}}],"discount_allocations":[]}},{{"id":{l2},"sku":"TEA-EB-80","quantity":{teas},"price":"6.40","tax_lines":[{{"rate":0,"price":"0.00","title":"VAT"}}],"discount_allocations":[]}}],"shipping_lines":[{{"code":"Next Day Pallet","title":"Next Day Pallet","price":"9.50","discounted_price":"9.50","tax_lines":[{{"rate":0.2,"price":"1.90","title":"VAT"}}]}}],"total_line_items_price":"{items}","subtotal_price":"{items}","total_tax":"{vat}","total_price":"{gross}","payment_terms":{{"payment_terms_name":"Net 30","payment_terms_type":"net","due_in_days":30}}}}"##,
            id = 5_600_000_000_000 + i,
            num = 100_000 + i,
            l1 = 14_000_000_000_000 + 2 * i,
            l2 = 14_000_000_000_001 + 2 * i,
            vat1 = p(vat1),
            items = p(net1 + net2),
            vat = p(vat),
            gross = p(gross),
        )?;
        counts.orders += 1;

        // The bridge's outcome, recorded a minute after the order.
        let lost = i % 97 == 0;
        let held = i % 89 == 0;
        let stalled = i % 83 == 0;
        if !lost {
            let recorded = format!("2025-03-{day:02}T{hh:02}:{:02}:{ss:02}Z", (mm + 1) % 60);
            let (status, issues) = if held {
                (
                    "review",
                    r#"[{"code":"PAY_ON_ACCOUNT_CREDIT","severity":"error","owner":"finance","pointer":"/customer","message":"the order gross exceeds the customer's available to spend"}]"#,
                )
            } else {
                (
                    "ready",
                    r#"[{"code":"ON_ACCOUNT","severity":"info","owner":"finance","pointer":"/note_attributes/1/value","message":"Pay on Account: sent with the on-account order type"}]"#,
                )
            };
            writeln!(
                outcomes,
                r#"{{"line":{i},"recordedAt":"{recorded}","outcome":{{"status":"{status}","orderKey":"{key}","issues":{issues},"salesOrder":{{"customer":{{"id":{account}}},"orderHeader":{{"systemOrderType":2,"deliveryMethodId":4,"orderDate":"{date}","eCommerceOrderNumber":"{key}","orderGross":{gross},"deliveryGross":11.40,"customerOrderRef":"{po}","orderNet":{net},"orderTax":{vat},"deliveryNet":9.50,"onHold":false,"pricesAsNet":true,"currencyCode":"GBP"}},"orderLines":[{{"itemNumber":1,"variantCode":"CUP-12OZ-WHT","quantity":{cups},"itemGross":2.22,"itemNet":1.85,"taxRateId":1,"stockLocationId":1}},{{"itemNumber":2,"variantCode":"TEA-EB-80","quantity":{teas},"itemGross":6.40,"itemNet":6.40,"taxRateId":2,"stockLocationId":1}}]}}}},"failure":null,"metrics":{{"fuel":190000,"setupFuel":60000,"peakMemoryBytes":1638400,"inputBytes":1800,"outputBytes":1400}}}}"#,
                date = &stamp[..19],
                gross = p(gross),
                net = p(net),
                vat = p(vat),
            )?;
            counts.outcomes += 1;
        }

        // OrderWise's row(s).
        if lost || held || stalled {
            continue;
        }
        let hand_keyed = i % 79 == 0;
        let penny = if i % 73 == 0 { 1 } else { 0 };
        let invoiced = i % 67 != 0;
        let row_po = if i % 61 == 0 { format!("{po}-X") } else { po.clone() };
        let mut row = |number: String, key: &str| -> Result<()> {
            let (inv, inv_date) = if invoiced {
                (format!("INV-{}", 500_000 + i), format!("2025-03-{:02}", (day + 1).min(31)))
            } else {
                (String::new(), String::new())
            };
            writeln!(
                export,
                "order,{number},{key},{row_po},{account},{date},GBP,{net},{vat},{gross},{status},{inv},{inv_date},{t1n},{t1v},{t0n},0.00",
                date = &stamp[..10],
                net = p(net + penny),
                vat = p(vat),
                gross = p(gross + penny),
                status = if invoiced { "Invoiced" } else { "Awaiting Despatch" },
                t1n = p(net1 + ship + penny),
                t1v = p(vat),
                t0n = p(net2),
            )?;
            counts.rows += 1;
            Ok(())
        };
        row(format!("SO-{}", 200_000 + i), if hand_keyed { "" } else { &key })?;
        if i % 71 == 0 {
            row(format!("SO-{}", 900_000 + i), &key)?;
        }
        if i % 1000 == 0 {
            writeln!(
                export,
                "credit,CN-{i},{key},{po},{account},2025-03-28,GBP,-9.50,-1.90,-11.40,Credited,CN-{i},2025-03-28,,,,"
            )?;
            counts.rows += 1;
        }
        if i % 997 == 0 {
            writeln!(export, "order,SO-PHONE-{i},,PHONE-{i},3001,2025-03-15,GBP,100.00,20.00,120.00,Invoiced,INV-P{i},2025-03-16,100.00,20.00,,")?;
            counts.rows += 1;
        }
    }
    for w in [&mut orders, &mut outcomes, &mut export] {
        w.flush()?;
    }
    Ok(counts)
}
