//! `bookbox serve` as a client meets it: the binary is started as a child process on a free
//! loopback port (with the manual clock, so days can pass in a second), and driven over HTTP
//! only.
//!
//! - A customer's whole journey, from registration to a delivered box, its receipt, and the
//!   reports that count it.
//! - The OpenAPI document against the routes: every documented route is served and answers
//!   a documented status with a body of the documented schema, and every route in the source
//!   is documented.
//! - The gate: bad input, unknown ids and rejected commands answer problem+json with the right
//!   status, and random bodies never cause a server error.
//! - The reports' freshness: read-your-writes (`after=` a command's position, waiting, and
//!   timing out cleanly), and time travel (`as_of=` a past time, on the manual clock).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kernel::testing::schema::undeclared_fields_refused;
use serde_json::{json, Value};

const PROBLEM_JSON: &str = "application/problem+json";
/// The manual clock starts here: a month's first morning.
const CLOCK_START: &str = "2026-03-02T09:00:00Z";
const MONTH: &str = "2026-03";
/// Valid ISBN-13s.
const ISBNS: [&str; 3] = ["9780141439518", "9780306406157", "9780131103627"];

/// A running `bookbox serve`, killed when dropped.
struct TestApp {
    address: String,
    child: Child,
    agent: ureq::Agent,
    dir: tempfile::TempDir,
    /// The served OpenAPI document, once fetched: every answer is checked against it.
    doc: std::cell::OnceCell<Value>,
}

/// An answer: status, content type, headers of interest, body (JSON when it parses).
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    location: Option<String>,
    position: Option<String>,
    allow: Option<String>,
    retry_after: Option<String>,
    body: Value,
    text: String,
}

impl Answer {
    fn problem_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or_default()
    }
}

fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("a temp dir");
    let stderr = std::fs::File::create(dir.path().join("stderr.log")).expect("a log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bookbox"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["serve", "--addr", "127.0.0.1:0", "--clock", "manual", "--clock-start", CLOCK_START])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    let Some(address) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
        panic!("the server did not say where it listens; stdout: {line:?}; stderr:\n{log}");
    };
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent();
    TestApp { address: address.to_owned(), child, agent, dir, doc: std::cell::OnceCell::new() }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    fn send(&self, method: &str, path: &str, content_type: Option<&str>, body: Option<Vec<u8>>) -> Answer {
        let mut request = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.address));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = match body {
            Some(body) => self.agent.run(request.body(body).expect("a request")),
            None => self.agent.run(request.body(()).expect("a request")),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path} failed: {e}\n{}", self.log()));
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = header("content-type").unwrap_or_default();
        let (location, position, allow) = (header("location"), header("bookbox-position"), header("allow"));
        let retry_after = header("retry-after");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        let answer = Answer { status, content_type, location, position, allow, retry_after, body, text };
        if path != "/openapi.json" {
            self.check_against_the_document(method, path, &answer);
        }
        answer
    }

    /// Every answer must be one the document describes: a documented status, media type and
    /// (for JSON) schema, for the route the path matches.
    fn check_against_the_document(&self, method: &str, path: &str, answer: &Answer) {
        let doc = self.doc.get_or_init(|| self.get("/openapi.json").body);
        let path = path.split('?').next().unwrap_or_default();
        let templates = doc["paths"].as_object().expect("paths");
        let matching = templates.iter().filter(|(template, item)| {
            item.get(method.to_lowercase()).is_some() && {
                let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
                t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
            }
        });
        let Some((template, item)) = matching.max_by_key(|(t, _)| t.matches('{').count() == 0) else {
            // No documented route: it must be the server's "no such route" or 405.
            assert!(matches!(answer.status, 404 | 405), "{method} {path} is not documented: {answer:?}");
            return;
        };
        let what = format!("{method} {path} ({template})");
        let response = &item[method.to_lowercase()]["responses"][answer.status.to_string()];
        assert!(response.is_object(), "{what} answered an undocumented {}: {answer:?}", answer.status);
        let media_type = answer.content_type.split(';').next().unwrap_or_default();
        let Some(content) = response["content"].as_object() else {
            assert!(answer.text.is_empty(), "{what}: a body where none is documented: {answer:?}");
            return;
        };
        let (documented_type, media) = content
            .iter()
            .find(|(t, _)| t.split(';').next() == Some(media_type))
            .unwrap_or_else(|| panic!("{what}: media type {media_type} is not documented: {content:?}"));
        if documented_type.contains("json") {
            conforms(doc, &media["schema"], &answer.body, "body").unwrap_or_else(|e| panic!("{what}: {e}"));
        }
    }

    fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, None)
    }

    fn delete(&self, path: &str) -> Answer {
        self.send("DELETE", path, None, None)
    }

    fn post(&self, path: &str, body: &Value) -> Answer {
        self.send("POST", path, Some("application/json"), Some(body.to_string().into_bytes()))
    }

    fn put(&self, path: &str, body: &Value) -> Answer {
        self.send("PUT", path, Some("application/json"), Some(body.to_string().into_bytes()))
    }

    fn put_empty(&self, path: &str) -> Answer {
        self.send("PUT", path, None, Some(Vec::new()))
    }

    /// GETs `path` until `done` holds, or panics after `timeout` with the last answer.
    fn eventually(&self, path: &str, timeout: Duration, done: impl Fn(&Answer) -> bool) -> Answer {
        let deadline = Instant::now() + timeout;
        loop {
            let answer = self.get(path);
            if done(&answer) {
                return answer;
            }
            if Instant::now() > deadline {
                panic!("GET {path} never became as expected; last answer: {answer:?}\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default();
        format!("server log:\n{log}")
    }
}

fn expect(answer: &Answer, status: u16, what: &str) {
    assert_eq!(answer.status, status, "{what}: {answer:?}");
}

fn expect_problem(answer: &Answer, status: u16, kind: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {answer:?}");
    assert_eq!(answer.content_type, PROBLEM_JSON, "{what}: {answer:?}");
    assert_eq!(answer.problem_type(), format!("urn:bookbox:problem:{kind}"), "{what}: {answer:?}");
    assert_eq!(answer.body["status"], status, "{what}: {answer:?}");
    assert!(answer.body["title"].is_string() && answer.body["detail"].is_string(), "{what}: {answer:?}");
}

fn registration(name: &str, email: &str) -> Value {
    json!({
        "name": name,
        "email": email,
        "shipping_address": {"line1": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"}
    })
}

/// Registers a customer; returns the id.
fn register(app: &TestApp, name: &str, email: &str) -> String {
    let answer = app.post("/customers", &registration(name, email));
    expect(&answer, 201, "registering");
    answer.body["reply"]["customer_id"].as_str().expect("an id").to_owned()
}

/// Lists the books and receives ten copies of each at Dallas.
fn stock_books(app: &TestApp) {
    let genres = [["mystery"], ["science-fiction"], ["mystery"]];
    for (isbn, genres) in ISBNS.iter().zip(genres) {
        let answer = app.post("/books", &json!({"isbn": isbn, "title": format!("Book {isbn}"), "genres": genres}));
        expect(&answer, 201, "adding a book");
        assert_eq!(answer.location.as_deref(), Some(format!("/books/{isbn}").as_str()));
        let answer = app.post("/warehouses/dallas/shipments-received", &json!({"isbn": isbn, "quantity": 10}));
        expect(&answer, 200, "receiving a shipment");
        assert_eq!(answer.body["reply"]["free"], 10, "{answer:?}");
    }
}

#[test]
fn a_customer_goes_from_registration_to_a_delivered_box_and_a_receipt_through_http_only() {
    // Arrange: a server on the manual clock.
    let app = spawn_app();
    let clock = app.get("/clock");
    assert_eq!(clock.body["mode"], "manual");
    assert!(clock.body["now"].as_str().unwrap().starts_with(MONTH), "{clock:?}");

    // Act and assert, step by step: register (read-your-writes position in the header).
    let registered = app.post("/customers", &registration("Ada Lovelace", "ada@example.com"));
    expect(&registered, 201, "registering");
    let customer_id = registered.body["reply"]["customer_id"].as_str().unwrap().to_owned();
    assert_eq!(registered.location.as_deref(), Some(format!("/customers/{customer_id}").as_str()));
    let position = registered.position.clone().expect("a Bookbox-Position header");
    assert_eq!(position, format!("customers:{}", registered.body["position"]), "{registered:?}");

    let preferences = app.put(
        &format!("/customers/{customer_id}/genre-preferences"),
        &json!({"genres": ["mystery", "science-fiction"]}),
    );
    expect(&preferences, 200, "setting preferences");
    assert_eq!(preferences.body["reply"]["changed"], true);
    let profile = app.get(&format!("/customers/{customer_id}"));
    expect(&profile, 200, "reading the profile");
    assert_eq!(profile.body["genres"], json!(["mystery", "science-fiction"]));

    // The catalog and its stock; the month's selection.
    stock_books(&app);
    let finalized = app.put(&format!("/selections/{MONTH}/finalization"), &json!({"isbns": ISBNS}));
    expect(&finalized, 200, "finalizing the selection");
    let mut sorted = ISBNS;
    sorted.sort();
    assert_eq!(finalized.body["reply"]["finalized"], json!(sorted), "{finalized:?}");

    // Subscribe; curation must know the customer and the books before the cycle starts.
    let subscribed = app.post("/subscriptions", &json!({"customer_id": customer_id, "books_per_month": 2}));
    expect(&subscribed, 201, "subscribing");
    let subscription_id = subscribed.body["reply"]["subscription_id"].as_str().unwrap().to_owned();
    assert_eq!(subscribed.body["reply"]["status"], "active");
    let current = app.get(&format!("/customers/{customer_id}/subscription"));
    assert_eq!(current.body["subscription_id"], subscription_id.as_str(), "{current:?}");
    app.eventually(&format!("/curation/customer-replicas/{customer_id}"), Duration::from_secs(30), |a| {
        a.status == 200 && a.body["preferences"] == json!(["mystery", "science-fiction"])
    });
    for isbn in ISBNS {
        app.eventually(&format!("/curation/book-replicas/{isbn}"), Duration::from_secs(30), |a| {
            a.status == 200 && a.body["available"].as_u64().unwrap_or(0) > 0
        });
    }

    // Start the month: the subscription's box falls due and is curated from the selection.
    let started = app.put_empty(&format!("/cycles/{MONTH}"));
    expect(&started, 200, "starting the cycle");
    assert_eq!(started.body["reply"]["boxes_due"], json!([subscription_id]), "{started:?}");
    let curated = app.eventually(
        &format!("/subscriptions/{subscription_id}/curated-boxes/{MONTH}"),
        Duration::from_secs(30),
        |a| a.status == 200,
    );
    assert_eq!(curated.body["status"], "curated", "{curated:?}");
    let books = curated.body["books"].as_array().unwrap();
    assert_eq!(books.len(), 2, "{curated:?}");
    assert!(books.iter().all(|b| ISBNS.contains(&b["isbn"].as_str().unwrap())), "{curated:?}");

    // Nothing was dead-lettered on the way, and the metrics count the commands.
    for context in ["customers", "subscriptions", "inventory", "curation"] {
        let letters = app.get(&format!("/dead-letters/{context}"));
        assert_eq!(letters.body, json!([]), "{context}: {letters:?}");
    }
    let metrics = app.get("/metrics");
    assert!(metrics.content_type.starts_with("text/plain"), "{metrics:?}");
    assert!(
        metrics.text.lines().any(|l| l == "bookbox_commands_total{context=\"customers\",outcome=\"accepted\"} 2"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains(
        "bookbox_circuit_breaker_state{context=\"billing\",dependency=\"payment-gateway\",state=\"closed\"} 1"
    ));

    // The box becomes an order: stock reserved, card charged, parcel handed to the carrier.
    let box_id = curated.body["box_id"].as_str().expect("a curated box has an id").to_owned();
    let order = app.eventually(&format!("/boxes/{box_id}/order"), Duration::from_secs(30), |a| a.status == 200);
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();
    let listed = app.get(&format!("/customers/{customer_id}/orders"));
    assert_eq!(listed.body["orders"][0]["order_id"], order_id.as_str(), "{listed:?}");
    app.eventually(&format!("/orders/{order_id}"), Duration::from_secs(30), |a| {
        a.body["status"] == "shipped" && a.body["tracking"].is_object()
    });

    // The carrier's first attempt comes two days after pickup: let three days pass.
    let advanced = app.post("/clock", &json!({"days": 3}));
    expect(&advanced, 200, "moving the clock");
    assert!(advanced.body["deadlines_fired"].as_u64().unwrap() > 0, "{advanced:?}");
    let delivered =
        app.eventually(&format!("/orders/{order_id}"), Duration::from_secs(30), |a| a.body["status"] == "delivered");
    assert_eq!(delivered.body["ended"], true, "{delivered:?}");
    let shipments = app.get(&format!("/shipments?order_id={order_id}"));
    assert_eq!(shipments.body["shipments"][0]["status"], "delivered", "{shipments:?}");

    // The payment was captured, and its receipt reads as the operator (and as customers, whom
    // billing's access policy allows), but not as shipping.
    let payment = app.get(&format!("/payments/{order_id}"));
    assert_eq!(payment.body["status"], "captured", "{payment:?}");
    let href = payment.body["receipt"]["href"].as_str().expect("a receipt").to_owned();
    let receipt = app.get(&href);
    expect(&receipt, 200, "reading the receipt");
    assert_eq!(receipt.body["order_id"], order_id.as_str(), "{receipt:?}");
    assert_eq!(receipt.body["totals"]["paid"], payment.body["captured"], "{receipt:?}");
    expect(&app.get(&format!("{href}?on_behalf_of=customers")), 200, "the receipt as customers");
    expect_problem(&app.get(&format!("{href}?on_behalf_of=shipping")), 403, "forbidden", "the receipt as shipping");
    let too_late = app.put(&format!("/orders/{order_id}/cancellation"), &json!({"reason": "changed my mind"}));
    expect_problem(&too_late, 422, "rejected", "cancelling a delivered order");
    let statistics = app.get("/order-statistics");
    assert_eq!(statistics.body["by_status"]["delivered"], 1, "{statistics:?}");

    // The read side caught up: the sale counts for Texas, the payer's lifetime value, the outcome.
    let paid = payment.body["captured"]["amount_cents"].as_i64().unwrap();
    let sales = app.eventually("/reports/sales-by-state?state=TX", Duration::from_secs(30), |a| {
        a.status == 200 && a.body["total"]["ended"] == 1
    });
    assert_eq!(sales.body["states"][0]["sales"]["revenue"]["amount_cents"], paid, "{sales:?}");
    app.eventually(&format!("/reports/lifetime-values/{customer_id}"), Duration::from_secs(30), |a| {
        a.body["lifetime_value"]["amount_cents"] == paid
    });
    let over = app.get(&format!("/reports/lifetime-values?over_cents={}", paid - 1));
    assert_eq!(over.body["customers"][0]["customer_id"], customer_id.as_str(), "{over:?}");
    app.eventually(&format!("/reports/orders-by-end-state?month={MONTH}"), Duration::from_secs(30), |a| {
        a.body["total"]["delivered"] == 1
    });
    for context in ["orders", "billing", "shipping", "reporting"] {
        let letters = app.get(&format!("/dead-letters/{context}"));
        assert_eq!(letters.body, json!([]), "{context}: {letters:?}");
    }

    // As of the first morning (before the clock moved), the order was seen but had not ended.
    let then = app.get(&format!("/reports/sales-by-state?state=TX&as_of={CLOCK_START}"));
    expect(&then, 200, "sales as of the first morning");
    assert_eq!((&then.body["total"]["orders"], &then.body["total"]["ended"]), (&json!(1), &json!(0)), "{then:?}");
    let then = app.get(&format!("/reports/orders-by-end-state?as_of={CLOCK_START}"));
    assert_eq!(then.body["total"]["delivered"], 0, "{then:?}");
    let now =
        app.get(&format!("/reports/orders-by-end-state?as_of={}", app.get("/clock").body["now"].as_str().unwrap()));
    assert_eq!(now.body["total"]["delivered"], 1, "{now:?}");
    let then = app.get(&format!("/reports/lifetime-values/{customer_id}?as_of=2026-03-01T00:00:00Z"));
    assert_eq!(then.body["lifetime_value"]["amount_cents"], 0, "{then:?}");
}

/// The `Bookbox-Position` of an accepted command.
fn position_of(answer: &Answer) -> String {
    answer.position.clone().unwrap_or_else(|| panic!("no Bookbox-Position header: {answer:?}"))
}

/// Receives copies of a book at Dallas; answers the command's position.
fn receive(app: &TestApp, isbn: &str, quantity: u32) -> String {
    let answer = app.post("/warehouses/dallas/shipments-received", &json!({"isbn": isbn, "quantity": quantity}));
    expect(&answer, 200, "receiving a shipment");
    position_of(&answer)
}

/// Free copies of a book at Dallas, as `/reports/stock` answers with the extra `query`.
fn reported_stock(app: &TestApp, isbn: &str, query: &str) -> Answer {
    app.get(&format!("/reports/stock?isbn={isbn}&{query}"))
}

fn dallas(answer: &Answer) -> u64 {
    answer.body["books"][0]["by_warehouse"]["dallas"].as_u64().unwrap_or_else(|| panic!("no stock: {answer:?}"))
}

#[test]
fn a_report_asked_after_a_commands_position_reflects_the_command() {
    // Arrange.
    let app = spawn_app();
    stock_books(&app);
    let isbn = ISBNS[0];

    // Act and assert: each receipt is in the very next report that asks for it (no polling).
    for round in 1..=8u64 {
        let position = receive(&app, isbn, 1);
        assert!(position.starts_with("inventory:"), "{position}");
        let report = reported_stock(&app, isbn, &format!("after={position}"));
        expect(&report, 200, "the stock after the receipt");
        assert_eq!(dallas(&report), 10 + round, "round {round}: {report:?}");
    }

    // With reporting stopped, the wait ends after `wait_ms` with a 503, not a hang.
    expect(&app.put_empty("/contexts/reporting/suspension"), 204, "stopping reporting");
    let position = receive(&app, isbn, 2);
    let started = Instant::now();
    let stopped = reported_stock(&app, isbn, &format!("after={position}&wait_ms=200"));
    expect_problem(&stopped, 503, "context-unavailable", "waiting for a stopped reporting");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());

    // The wait does wait: reporting starts again while a report is waiting for the receipt.
    let (address, restart_after) = (app.address.clone(), Duration::from_millis(600));
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(restart_after);
        ureq::delete(&format!("{address}/contexts/reporting/suspension")).call().map(|r| r.status().as_u16())
    });
    let started = Instant::now();
    let report = reported_stock(&app, isbn, &format!("after={position}&wait_ms=20000"));
    let waited = started.elapsed();
    assert_eq!(restarter.join().expect("the restarter").expect("reporting restarts"), 204);
    expect(&report, 200, "the stock once reporting caught up");
    assert_eq!(dallas(&report), 20, "{report:?}");
    assert!(
        waited >= restart_after - Duration::from_millis(100),
        "answered after {waited:?}, before reporting started"
    );
}

#[test]
fn a_report_after_a_position_never_reached_times_out_with_a_problem() {
    // Arrange: inventory has written a few positions, orders none.
    let app = spawn_app();
    stock_books(&app);

    for after in ["inventory:99999999999", "orders:1", "billing:18446744073709551615"] {
        // Act.
        let started = Instant::now();
        let answer = reported_stock(&app, ISBNS[0], &format!("after={after}&wait_ms=300"));
        let waited = started.elapsed();

        // Assert: the documented 503, after about `wait_ms`, saying what it waited for.
        expect_problem(&answer, 503, "not-caught-up", after);
        assert_eq!(answer.retry_after.as_deref(), Some("1"), "{answer:?}");
        assert_eq!(answer.body["context"], "reporting", "{answer:?}");
        let detail = answer.body["detail"].as_str().unwrap();
        assert!(detail.contains(after) && detail.contains("300 ms"), "{detail}");
        assert!(waited >= Duration::from_millis(300) && waited < Duration::from_secs(10), "{after}: {waited:?}");
    }
    // Waiting 0 ms only looks.
    let position = receive(&app, ISBNS[1], 1);
    app.eventually(&format!("/reports/stock?isbn={}", ISBNS[1]), Duration::from_secs(30), |a| dallas(a) == 11);
    expect(&reported_stock(&app, ISBNS[1], &format!("after={position}&wait_ms=0")), 200, "a position reached");
}

#[test]
fn report_freshness_parameters_are_checked_at_the_gate() {
    let app = spawn_app();
    let unknown = "00000000-0000-4000-8000-000000000000";
    let routes = [
        "/reports/sales-by-state?state=TX".to_owned(),
        "/reports/lifetime-values?over_cents=1".to_owned(),
        format!("/reports/lifetime-values/{unknown}?"),
        format!("/reports/stock?isbn={}", ISBNS[0]),
        "/reports/orders-by-end-state?month=2026-03".to_owned(),
    ];
    let refused = [
        ("after=orders", "after"),
        ("after=orders:", "after"),
        ("after=:12", "after"),
        ("after=orders:-1", "after"),
        ("after=orders:twelve", "after"),
        ("after=Orders:1", "after"),
        ("after=orders:99999999999999999999999", "after"),
        ("after=no-such-context:1", "after"),
        // Reporting does not listen to customers: nothing to wait for.
        ("after=customers:1", "after"),
        ("after=orders:1&wait_ms=30001", "wait_ms"),
        ("after=orders:1&wait_ms=-5", ""),
        ("wait_ms=100", "wait_ms"),
        ("as_of=yesterday", "as_of"),
        ("as_of=2026-03-02", "as_of"),
        // An unencoded `+` is a space in a query string.
        ("as_of=2026-03-02T09:00:00+01:00", "as_of"),
        ("after=orders:1&as_of=2026-03-02T09:00:00Z", "as_of"),
        ("as_of=2026-03-02T09:00:00Z&as_of=2026-03-03T09:00:00Z", ""),
    ];
    for route in &routes {
        for (query, field) in refused {
            let answer = app.get(&format!("{route}&{query}"));
            expect_problem(&answer, 400, "invalid-query", &format!("{route}&{query}"));
            if !field.is_empty() {
                assert_eq!(answer.body["field"], field, "{route}&{query}: {answer:?}");
            }
        }
    }
    let answer = app.get("/reports/stock?after=customers:3");
    let detail = answer.body["detail"].as_str().unwrap();
    assert!(detail.contains("does not listen to `customers`"), "{detail}");
    // The reports' own parameters are still checked.
    expect_problem(&app.get("/reports/stock?after=inventory:0&colour=red"), 400, "invalid-query", "an unknown one");
    expect(&app.get("/reports/stock?after=inventory%3A0&wait_ms=0"), 200, "an encoded colon");
}

#[test]
fn a_report_as_of_a_past_time_is_rebuilt_from_the_logs() {
    // Arrange: ten copies received on the first morning; five more the next day.
    let app = spawn_app();
    stock_books(&app);
    let isbn = ISBNS[0];
    expect(&app.post("/clock", &json!({"days": 1})), 200, "a day passes");
    let position = receive(&app, isbn, 5);
    let live = reported_stock(&app, isbn, &format!("after={position}"));
    assert_eq!(dallas(&live), 15, "{live:?}");

    // Act and assert: the stock as it was then, and as it is.
    let first_noon = reported_stock(&app, isbn, "as_of=2026-03-02T12:00:00Z");
    expect(&first_noon, 200, "as of the first noon");
    assert_eq!(dallas(&first_noon), 10, "{first_noon:?}");
    // The same instant with an offset (its `+` encoded).
    assert_eq!(dallas(&reported_stock(&app, isbn, "as_of=2026-03-02T13:00:00%2B01:00")), 10);
    // A time is inclusive: what was published at it counts.
    assert_eq!(dallas(&reported_stock(&app, isbn, "as_of=2026-03-03T09:00:00Z")), 15);
    let before = app.get("/reports/stock?as_of=2026-03-01T00:00:00Z");
    expect(&before, 200, "as of before any book");
    assert_eq!(before.body["books"], json!([]), "{before:?}");
    expect_problem(
        &reported_stock(&app, isbn, "as_of=2026-03-01T00:00:00Z"),
        404,
        "not-found",
        "a book not yet in stock",
    );
    let all_books = app.get("/reports/stock?as_of=2026-03-02T12:00:00Z");
    assert_eq!(all_books.body["books"].as_array().map(Vec::len), Some(ISBNS.len()), "{all_books:?}");
    // The rebuild answers as the live models do.
    assert_eq!(reported_stock(&app, isbn, "as_of=2026-03-04T00:00:00Z").body, live.body);
    // Other reports take it too.
    let outcomes = app.get("/reports/orders-by-end-state?as_of=2026-03-02T12:00:00Z");
    expect(&outcomes, 200, "outcomes as of a time");
    assert_eq!(outcomes.body["total"]["total"], 0, "{outcomes:?}");
}

/// A concrete request for a documented route: its path with plausible parameters, and a body.
fn probe_path(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{month}" => MONTH.to_owned(),
            "{isbn}" => ISBNS[0].to_owned(),
            "{warehouse}" => "dallas".to_owned(),
            // A context that does not exist: operations on contexts answer 404, and none is stopped.
            "{context}" => "no-such-context".to_owned(),
            "{handler_id}" => "no.such-handler".to_owned(),
            s if s.starts_with('{') => "00000000-0000-4000-8000-000000000000".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Checks `value` against an OpenAPI 3.1 schema (JSON Schema 2020-12) with the `jsonschema`
/// crate, resolving `$ref`s into the document's components; as everywhere in the project, an
/// object schema with `properties` allows no undocumented field.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let mut components = doc["components"].clone();
    for component in components["schemas"].as_object_mut().into_iter().flat_map(|s| s.values_mut()) {
        *component = undeclared_fields_refused(component);
    }
    // The schema as the root, the components beside it: `#/components/schemas/…` resolves there.
    let mut root = undeclared_fields_refused(schema);
    let Some(object) = root.as_object_mut() else { return Err(format!("{at}: the schema is not an object: {schema}")) };
    object.insert("components".to_owned(), components);
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("{at}: the schema does not compile: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{at}{}: {e}", e.instance_path().as_str())).collect();
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("\n")),
    }
}

/// The routes declared in the source: every actix-web route attribute under `src/http`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("src/http") {
        let path = entry.expect("an entry").path();
        let source = std::fs::read_to_string(&path).expect("a source file");
        let code: String = source.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        for bypass in [".route(", "web::resource(", "web::scope(", "Route::new("] {
            assert!(
                !code.contains(bypass),
                "{} registers a route with `{bypass}`, which routes without documenting; use `.service(handler)` in api::routes",
                path.display()
            );
        }
        for line in source.lines().map(str::trim) {
            for method in ["get", "post", "put", "delete", "patch"] {
                let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) else { continue };
                let template = rest.split('"').next().expect("a path");
                routes.insert((method.to_uppercase(), template.to_owned()));
            }
        }
    }
    routes
}

#[test]
fn the_openapi_document_matches_the_routes() {
    // Arrange.
    let app = spawn_app();
    let served = app.get("/openapi.json");
    expect(&served, 200, "the document");
    let doc = served.body;

    // The served document is the one the code generates.
    assert_eq!(doc, serde_json::to_value(bookbox::http::openapi()).unwrap());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    // Every route in the source is documented, and every documented route is in the source.
    let mut documented = BTreeSet::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), template.clone()));
        }
    }
    let in_source = routes_in_source();
    let undocumented: Vec<_> = in_source.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&in_source).collect();
    assert!(undocumented.is_empty(), "routes without documentation: {undocumented:?}");
    assert!(unrouted.is_empty(), "documented routes not in the source: {unrouted:?}");

    // The schema checker below is not a rubber stamp.
    let customer = json!({"$ref": "#/components/schemas/Customer"});
    assert!(conforms(&doc, &customer, &json!({"customer_id": 1}), "body").is_err());
    assert!(conforms(&doc, &customer, &json!({"surprise": true}), "body").is_err());

    // Every documented route is served: a probe never meets "no such route" or 405 (and, as
    // every answer in these tests, has a documented status, media type and schema).
    for (method, template) in &documented {
        let operation = &doc["paths"][template][method.to_lowercase()];
        let path = probe_path(template);
        let has_body = operation.get("requestBody").is_some();
        let answer = if has_body {
            app.send(method, &path, Some("application/json"), Some(b"{}".to_vec()))
        } else {
            app.send(method, &path, None, None)
        };
        // (`send` checked the status, media type and schema against the document.)
        let what = format!("{method} {path}");
        assert_ne!(answer.problem_type(), "urn:bookbox:problem:no-such-route", "{what}: {answer:?}");
        assert_ne!(answer.status, 405, "{what}: {answer:?}");
    }
}

/// A request and the problem it must meet: method, path, content type, body, status, kind.
type Case<'a> = (&'a str, String, Option<&'a str>, Option<Vec<u8>>, u16, &'a str);

#[test]
fn bad_input_unknown_ids_and_rejected_commands_answer_problem_json() {
    // Arrange: a customer and a subscription to refuse things about.
    let app = spawn_app();
    let customer_id = register(&app, "Ada Lovelace", "ada@example.com");
    let unknown = "00000000-0000-4000-8000-000000000000";

    // Act and assert, case by case: (method, path, content type, body, status, problem kind).
    let json_type = Some("application/json");
    let cases: Vec<Case> = vec![
        ("POST", "/customers".into(), json_type, Some(b"{\"name\": ".to_vec()), 400, "invalid-body"),
        ("POST", "/customers".into(), json_type, Some(b"[]".to_vec()), 400, "invalid-body"),
        ("POST", "/customers".into(), json_type, Some(b"{\"name\": \"x\"}".to_vec()), 400, "invalid-body"),
        (
            "POST",
            "/subscriptions".into(),
            json_type,
            Some(br#"{"customer_id": "x", "books_per_month": 1}"#.to_vec()),
            400,
            "invalid-body",
        ),
        (
            "POST",
            "/subscriptions".into(),
            json_type,
            Some(format!(r#"{{"customer_id": "{customer_id}", "books_per_month": -1}}"#).into_bytes()),
            400,
            "invalid-body",
        ),
        (
            "POST",
            "/subscriptions".into(),
            json_type,
            Some(format!(r#"{{"customer_id": "{customer_id}", "books_per_month": 1, "extra": 1}}"#).into_bytes()),
            400,
            "invalid-body",
        ),
        ("POST", "/customers".into(), Some("text/plain"), Some(b"hello".to_vec()), 415, "unsupported-media-type"),
        ("POST", "/customers".into(), json_type, Some(vec![b' '; 70 * 1024]), 413, "payload-too-large"),
        ("GET", "/customers/not-a-uuid".into(), None, None, 400, "invalid-path"),
        ("PUT", "/cycles/2026-13".into(), None, None, 400, "invalid-path"),
        ("GET", "/books/12345".into(), None, None, 400, "invalid-path"),
        ("GET", "/customers".into(), None, None, 400, "invalid-query"),
        ("GET", "/shipments?stalled=maybe".into(), None, None, 400, "invalid-query"),
        ("GET", format!("/customers/{unknown}"), None, None, 404, "not-found"),
        ("PUT", format!("/subscriptions/{unknown}/pause"), None, None, 404, "not-found"),
        ("GET", format!("/payments/{unknown}"), None, None, 404, "not-found"),
        ("GET", format!("/books/{}", ISBNS[0]), None, None, 404, "not-found"),
        ("GET", "/dead-letters/nobody".into(), None, None, 404, "not-found"),
        ("GET", "/no/such/route".into(), None, None, 404, "no-such-route"),
        (
            "POST",
            "/customers".into(),
            json_type,
            Some(registration("Ada Again", "ADA@example.com").to_string().into_bytes()),
            409,
            "conflict",
        ),
        (
            "POST",
            "/customers".into(),
            json_type,
            Some(registration("Bad Email", "no-at-sign").to_string().into_bytes()),
            422,
            "rejected",
        ),
        (
            "POST",
            "/subscriptions".into(),
            json_type,
            Some(format!(r#"{{"customer_id": "{customer_id}", "books_per_month": 7}}"#).into_bytes()),
            422,
            "rejected",
        ),
        (
            "POST",
            "/books".into(),
            json_type,
            Some(br#"{"isbn": "9780141439519", "title": "Bad checksum", "genres": ["mystery"]}"#.to_vec()),
            422,
            "rejected",
        ),
        ("GET", format!("/receipts/{unknown}?on_behalf_of=shipping"), None, None, 403, "forbidden"),
        ("POST", "/clock".into(), json_type, Some(b"{}".to_vec()), 400, "invalid-input"),
    ];
    for (method, path, content_type, body, status, kind) in cases {
        let answer = app.send(method, &path, content_type, body);
        expect_problem(&answer, status, kind, &format!("{method} {path}"));
    }

    // A rejection names the field at fault, and the context.
    let refused = app.post("/customers", &registration("Bad Email", "no-at-sign"));
    assert_eq!(refused.body["field"], "email", "{refused:?}");
    assert_eq!(refused.body["context"], "customers", "{refused:?}");

    // A route served with other methods answers 405 and says which.
    let answer = app.send("PATCH", "/customers", None, None);
    expect_problem(&answer, 405, "method-not-allowed", "PATCH /customers");
    assert_eq!(answer.allow.as_deref(), Some("GET, POST"));

    // A stopped context answers 503 (and health says so) until it starts again.
    expect(&app.put_empty("/contexts/customers/suspension"), 204, "stopping customers");
    expect_problem(&app.get(&format!("/customers/{customer_id}")), 503, "context-unavailable", "a query");
    let command = app.put(&format!("/customers/{customer_id}/email"), &json!({"email": "ada@example.org"}));
    expect_problem(&command, 503, "context-unavailable", "a command");
    expect(&app.get("/healthz"), 503, "health while stopped");
    expect(&app.delete("/contexts/customers/suspension"), 204, "starting customers");
    expect(&app.get(&format!("/customers/{customer_id}")), 200, "a query once started");
    expect(&app.get("/healthz"), 200, "health once started");
}

/// The committed OpenAPI document: the API's contract as agreed. A refactoring of `src/http` must
/// leave the generated document equivalent to it; a deliberate change of the API regenerates it
/// with `UPDATE_OPENAPI=1 cargo test --test http the_openapi_document_is_the_committed_one`.
const COMMITTED_OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

/// The arrays of an OpenAPI document whose order carries no meaning: the tags (of the document
/// and of an operation), an operation's parameters, and a schema's required properties. (Paths
/// and component schemas are objects: their order never counts.)
const UNORDERED_ARRAYS: [&str; 3] = ["tags", "parameters", "required"];

/// `value` with each unordered array turned into an object keyed by its items' identity (`in`
/// and `name` for a parameter, `name` for a tag, the string for a required property), so that
/// a comparison ignores their order and names the item that differs.
fn without_order(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| match item {
                    Value::Array(items) if UNORDERED_ARRAYS.contains(&key.as_str()) => {
                        let mut keyed = serde_json::Map::new();
                        for item in items {
                            let identity = match item {
                                Value::String(s) => s.clone(),
                                Value::Object(o) if o.contains_key("name") => {
                                    format!("{} {}", o.get("in").and_then(Value::as_str).unwrap_or(""), o["name"])
                                }
                                other => other.to_string(),
                            };
                            // A repeated item stays visible: a second copy gets a key of its own.
                            let mut unique = identity.clone();
                            while keyed.contains_key(&unique) {
                                unique.push_str(" (again)");
                            }
                            keyed.insert(unique, without_order(item));
                        }
                        (key.clone(), Value::Object(keyed))
                    }
                    other => (key.clone(), without_order(other)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_order).collect()),
        other => other.clone(),
    }
}

/// How `after` differs from `before`, ignoring the order of object keys and of the unordered
/// arrays: one line per difference, each at a JSON pointer.
fn document_differences(before: &Value, after: &Value) -> Vec<String> {
    fn short(value: &Value) -> String {
        let text = value.to_string();
        match text.char_indices().nth(120) {
            Some((end, _)) => format!("{}…", &text[..end]),
            None => text,
        }
    }
    fn walk(before: &Value, after: &Value, at: &str, out: &mut Vec<String>) {
        let pointer = |key: &str| format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
        match (before, after) {
            (Value::Object(b), Value::Object(a)) => {
                for (key, old) in b {
                    match a.get(key) {
                        Some(new) => walk(old, new, &pointer(key), out),
                        None => out.push(format!("{}: removed (was {})", pointer(key), short(old))),
                    }
                }
                for (key, new) in a.iter().filter(|(key, _)| !b.contains_key(*key)) {
                    out.push(format!("{}: added ({})", pointer(key), short(new)));
                }
            }
            (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
                for (i, (old, new)) in b.iter().zip(a).enumerate() {
                    walk(old, new, &format!("{at}/{i}"), out);
                }
            }
            _ if before == after => {}
            _ => out.push(format!("{at}: {} became {}", short(before), short(after))),
        }
    }
    let mut out = Vec::new();
    walk(&without_order(before), &without_order(after), "", &mut out);
    out
}

#[test]
fn the_openapi_document_is_the_committed_one() {
    // Arrange.
    let live = serde_json::to_value(bookbox::http::openapi()).unwrap();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED_OPENAPI, serde_json::to_string_pretty(&live).unwrap() + "\n").unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED_OPENAPI).expect("docs/openapi.json");
    let committed: Value = serde_json::from_str(&committed).expect("docs/openapi.json is JSON");

    // Act.
    let differences = document_differences(&committed, &live);

    // Assert.
    assert!(
        differences.is_empty(),
        "the OpenAPI document is not the committed one (docs/openapi.json); if the API changed on \
         purpose, regenerate it with UPDATE_OPENAPI=1:\n{}",
        differences.join("\n")
    );
}

#[test]
fn the_document_comparison_ignores_order_only() {
    // Arrange: the live document, and copies changed in one way each.
    let doc = serde_json::to_value(bookbox::http::openapi()).unwrap();
    let mut reordered = doc.clone();
    fn reverse_unordered(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if let (true, Value::Array(items)) = (UNORDERED_ARRAYS.contains(&key.as_str()), &mut *item) {
                        items.reverse();
                    }
                    reverse_unordered(item);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(reverse_unordered),
            _ => {}
        }
    }
    reverse_unordered(&mut reordered);
    let mut without_a_path = doc.clone();
    without_a_path["paths"].as_object_mut().unwrap().remove("/customers/{customer_id}/email");
    let mut with_a_changed_property = doc.clone();
    with_a_changed_property["components"]["schemas"]["Customer"]["properties"]["name"] = json!({"type": "integer"});
    let mut with_a_parameter_less = doc.clone();
    with_a_parameter_less["paths"]["/customers"]["get"]["parameters"].as_array_mut().unwrap().clear();

    // Act and assert: order is no difference; a removed path, a changed property and a removed
    // parameter each are, named where they are.
    assert_eq!(document_differences(&doc, &reordered), Vec::<String>::new());
    let removed = document_differences(&doc, &without_a_path);
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(removed[0].starts_with("/paths/~1customers~1{customer_id}~1email: removed"), "{removed:?}");
    let changed = document_differences(&doc, &with_a_changed_property);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0].starts_with("/components/schemas/Customer/properties/name/type: \"string\" became"),
        "{changed:?}"
    );
    let fewer = document_differences(&doc, &with_a_parameter_less);
    assert_eq!(fewer.len(), 1, "{fewer:?}");
    assert!(fewer[0].starts_with("/paths/~1customers/get/parameters/query \"email\": removed"), "{fewer:?}");
}

mod random_bodies {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            ".{0,40}".prop_map(Value::String),
            Just(json!("00000000-0000-4000-8000-000000000000")),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            let keys = prop_oneof![
                Just("name".to_owned()),
                Just("email".to_owned()),
                Just("customer_id".to_owned()),
                Just("payer_id".to_owned()),
                Just("recipient_id".to_owned()),
                Just("books_per_month".to_owned()),
                Just("months".to_owned()),
                Just("isbns".to_owned()),
                Just("amount".to_owned()),
                Just("amount_cents".to_owned()),
                Just("days".to_owned()),
                "[a-z_]{1,12}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(keys, inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            json_value().prop_map(|v| v.to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..200),
            ".{0,200}".prop_map(String::into_bytes),
        ]
    }

    const TARGETS: [(&str, &str); 6] = [
        ("POST", "/customers"),
        ("POST", "/subscriptions"),
        ("POST", "/gifts"),
        ("PUT", "/selections/2026-03/finalization"),
        ("PUT", "/payments/00000000-0000-4000-8000-000000000000"),
        ("POST", "/clock"),
    ];

    #[test]
    fn random_bodies_never_cause_a_server_error() {
        // Arrange: one server for every case, killed when the test ends.
        let app = spawn_app();
        let mut runner = TestRunner::new(Config { cases: 150, failure_persistence: None, ..Config::default() });

        // Act and assert: whatever the body, the answer is never a 5xx, and an error is a problem.
        let result = runner.run(&(0..TARGETS.len(), body()), |(target, body)| {
            let (method, path) = TARGETS[target];
            let answer = app.send(method, path, Some("application/json"), Some(body));
            prop_assert!(answer.status < 500, "{} {}: {:?}", method, path, answer);
            if answer.status >= 400 {
                prop_assert_eq!(answer.content_type.as_str(), PROBLEM_JSON);
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}\n{}", app.log());
        }
    }
}
