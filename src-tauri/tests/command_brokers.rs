//! STOMP and MQTT through the window's commands as Tauri calls them, against the mock's brokers:
//! the demo's requests connect on their layers with their saved subscriptions, a SEND/PUBLISH
//! comes back decoded as a MESSAGE/PUBLISH of that subscription, bad input is refused with the
//! engine's words, and a refused login shows the broker's.

use std::time::{Duration, Instant};

use sockpit_app::commands::{brokers, store, ws};
use sockpit_app::dto::{ConnectArgs, WsBatch};
use sockpit_app::dto_store::RequestSpec;
use sockpit_app::state::{lock, AppState};
use sockpit_mock::MockServer;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{App, Manager};

const LIMIT: Duration = Duration::from_secs(20);

fn mock_app(dir: &std::path::Path) -> App<MockRuntime> {
    std::env::set_var("SOCKPIT_SECRET_BACKEND", "database");
    let app = mock_builder()
        .manage(AppState::default())
        .manage(sockpit_app::inspect::InspectState::default())
        .build(mock_context(noop_assets()))
        .expect("mock app");
    *lock(&app.state::<AppState>().data_dir) = Some(dir.to_path_buf());
    app
}

/// A stored request of `protocol` with the demo's `settings`, as the editor shows it.
async fn spec_of(
    app: &App<MockRuntime>,
    protocol: &str,
    url: String,
    settings: serde_json::Value,
) -> RequestSpec {
    let c = store::store_create(
        app.state(),
        "collection".into(),
        format!("{protocol} brokers"),
        None,
        None,
        None,
    )
    .await
    .expect("collection");
    let id = store::store_create(
        app.state(),
        "request".into(),
        format!("{protocol} demo"),
        Some(c),
        None,
        Some(protocol.into()),
    )
    .await
    .expect("request");
    let mut spec = store::request_get(app.state(), id).await.expect("get").spec;
    spec.url = url;
    spec.settings = settings;
    spec
}

async fn connect(
    app: &App<MockRuntime>,
    spec: RequestSpec,
) -> Result<(u32, std::sync::mpsc::Receiver<String>), sockpit_app::dto::AppError> {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    let channel: Channel<WsBatch> = Channel::new(move |body| {
        if let InvokeResponseBody::Json(j) = body {
            let _ = lock(&tx).send(j);
        }
        Ok(())
    });
    let args = ConnectArgs {
        url: spec.url.clone(),
        reconnect: false,
        subprotocols: vec![],
        headers: vec![],
        previous: None,
        record_frames: false,
        spec: Some(spec),
        collection: None,
        request_id: None,
        hook_file: None,
        stop_on_script_error: None,
    };
    let id = ws::ws_connect(app.state(), app.state(), args, channel).await?;
    Ok((id, rx))
}

/// Batches until the text seen holds every needle, or the limit.
fn wait_for(rx: &std::sync::mpsc::Receiver<String>, seen: &mut String, needles: &[&str]) {
    let end = Instant::now() + LIMIT;
    while Instant::now() < end {
        if needles.iter().all(|n| seen.contains(n)) {
            return;
        }
        if let Ok(j) = rx.recv_timeout(Duration::from_millis(50)) {
            seen.push_str(&j);
        }
    }
    panic!("never saw {needles:?} in {seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_mqtt_request_subscribes_publishes_and_receives_decoded() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let settings =
        serde_json::json!({"mqtt": {"subscriptions": [{"filter": "demo/+/temp", "qos": 2}]}});
    let spec = spec_of(&app, "mqtt", format!("{}/mqtt", mock.ws_url()), settings).await;
    let (id, rx) = connect(&app, spec).await.expect("connect");
    let mut seen = String::new();
    // The saved subscription went out on connect and the broker granted it.
    wait_for(
        &rx,
        &mut seen,
        &[r#""kind":"packet""#, r#""name":"suback""#],
    );
    let e = brokers::mqtt_publish(app.state(), id, "demo/+/temp".into(), 0, false, "x".into())
        .await
        .expect_err("wildcard topic");
    assert_eq!(e.code, "app.invalid_broker_input");
    assert!(e.message.contains("no wildcards"), "{}", e.message);
    let e = brokers::mqtt_publish(app.state(), id, "demo/a/temp".into(), 3, false, "x".into())
        .await
        .expect_err("QoS 3");
    assert!(e.message.contains("QoS is 0, 1 or 2"), "{}", e.message);
    brokers::mqtt_publish(
        app.state(),
        id,
        "demo/kitchen/temp".into(),
        1,
        false,
        r#"{"c":21.5}"#.into(),
    )
    .await
    .expect("publish");
    // Our publish comes back to the subscription, decoded: topic and payload.
    wait_for(
        &rx,
        &mut seen,
        &[
            r#""kind":"packet","dir":"in","namespace":"demo/kitchen/temp","name":"publish""#,
            "21.5",
        ],
    );
    assert!(seen.contains(r#""name":"puback""#), "{seen}");
    brokers::mqtt_subscribe(app.state(), id, "demo/#".into(), 0)
        .await
        .expect("subscribe");
    brokers::mqtt_unsubscribe(app.state(), id, "demo/#".into())
        .await
        .expect("unsubscribe");
    wait_for(&rx, &mut seen, &[r#""name":"unsuback""#]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_stomp_request_subscribes_sends_and_receives_decoded() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let settings = serde_json::json!({"stomp": {"heartbeat": "1000,1000",
        "subscriptions": [{"destination": "/topic/demo", "ack": "client"}]}});
    let spec = spec_of(&app, "stomp", format!("{}/stomp", mock.ws_url()), settings).await;
    let (id, rx) = connect(&app, spec).await.expect("connect");
    let mut seen = String::new();
    wait_for(
        &rx,
        &mut seen,
        &[r#""kind":"connected""#, r#""name":"SUBSCRIBE""#],
    );
    let e = brokers::stomp_send(
        app.state(),
        id,
        "/topic/demo".into(),
        "priority 5".into(),
        "x".into(),
    )
    .await
    .expect_err("header without a colon");
    assert_eq!(e.code, "app.invalid_broker_input");
    assert!(e.message.contains("has no ':'"), "{}", e.message);
    brokers::stomp_send(
        app.state(),
        id,
        "/topic/demo".into(),
        "content-type:text/plain".into(),
        "hello from the window".into(),
    )
    .await
    .expect("send");
    // The MESSAGE of subscription sub-0, its body decoded.
    wait_for(
        &rx,
        &mut seen,
        &[
            r#""dir":"in","namespace":"/topic/demo","name":"MESSAGE","id":"sub-0""#,
            "hello from the window",
        ],
    );
    brokers::stomp_subscribe(
        app.state(),
        id,
        "extra".into(),
        "/topic/other".into(),
        "auto".into(),
    )
    .await
    .expect("subscribe");
    wait_for(
        &rx,
        &mut seen,
        &[r#""namespace":"/topic/other","name":"SUBSCRIBE","id":"extra""#],
    );
    let e = brokers::stomp_subscribe(
        app.state(),
        id,
        String::new(),
        "/q".into(),
        "sometimes".into(),
    )
    .await
    .expect_err("bad ack mode");
    assert!(e.message.contains("client-individual"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_login_shows_the_broker_s_words() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let stomp = serde_json::json!({"stomp": {"login": "demo", "passcode": "wrong"}});
    let spec = spec_of(&app, "stomp", format!("{}/stomp", mock.ws_url()), stomp).await;
    let (_id, rx) = connect(&app, spec).await.expect("connect");
    let mut seen = String::new();
    wait_for(
        &rx,
        &mut seen,
        &[r#""kind":"protocol_error","dir":"in","namespace":"","name":"stomp.refused""#],
    );
    assert!(
        seen.contains(r#""name":"ERROR""#),
        "the ERROR frame is shown: {seen}"
    );
    assert!(seen.contains("bad credentials for user 'demo'"), "{seen}");
    let mqtt = serde_json::json!({"mqtt": {"username": "demo", "password": "wrong"}});
    let spec = spec_of(&app, "mqtt", format!("{}/mqtt", mock.ws_url()), mqtt).await;
    let (_id, rx) = connect(&app, spec).await.expect("connect");
    let mut seen = String::new();
    wait_for(
        &rx,
        &mut seen,
        &["mqtt.connack_refused", "bad user name or password"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_request_with_scripts_is_refused_not_run_without_them() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let settings = serde_json::json!({"mqtt": {}});
    let mut spec = spec_of(&app, "mqtt", format!("{}/mqtt", mock.ws_url()), settings).await;
    spec.scripts = Some(sockpit_app::dto_script::ScriptsDto {
        on_message: "sp.log('seen');".into(),
        ..Default::default()
    });
    let e = connect(&app, spec).await.expect_err("scripts refused");
    assert_eq!(e.code, "app.broker_scripts");
    assert!(e.message.contains("sockpit run"), "{}", e.message);
}
