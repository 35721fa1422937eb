//! The scheduled work on real Spin: the `reminders` component under Spin's
//! cron trigger plugin (`[[trigger.cron]]`, every minute), next to the HTTP
//! triggers in the app's manifest. A message the gateway refused when the
//! request delivered it is retried by a cron tick a minute later, through
//! the cron component's outbound HTTP (which needs the plugin built on a
//! Spin with final WASI 0.3.0: README "Scheduled work").

use fidelity::exchange::{Recorder, Req, Target};
use fidelity::scenario;
use fidelity::spin::{SpinEnv, SpinUp, repo_root};
use integration::sms_gateway::{Answer, FakeGateway};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a spin binary; cargo test-all runs it when there is one"]
async fn the_cron_trigger_runs_the_reminders_component_which_retries_an_sms_through_the_gateway() {
    let gateway = FakeGateway::start().await;
    gateway.answer(Answer::Status(500));
    let url = gateway.url();
    let mut variables = scenario::VARIABLES.to_vec();
    variables.extend([("sms_gateway_url", url.as_str()), ("sms_gateway_origin", gateway.origin.as_str())]);
    let env = SpinEnv::get().expect("a spin binary and a plugin store");
    let spin = SpinUp::start(&env, &repo_root().join("spin.toml"), &variables).expect("spin up serves the app");
    let on_spin = Recorder::new(Target::new("spin", &spin.base));

    let mobile = "13912340001";
    let res = on_spin
        .exchange(Req::post("/api/registration/sms-codes").same_origin().json(&json!({ "mobile": mobile, "purpose": "registration" })))
        .await;
    assert_eq!(res.status, 202, "{}\n{}", res.text(), spin.output());
    let outbox = on_spin.exchange(Req::get(&format!("/api/registration/dev/outbox?mobile={mobile}"))).await.json();
    let id = outbox["messages"][0]["id"].as_i64().expect("the code's message");
    assert_eq!(gateway.requests(), vec![(id, false)], "the request tried it once, the gateway refused");
    gateway.answer(Answer::Ok);

    // Retried a minute after the first try, at the next tick (second 0 of a minute).
    let deadline = Instant::now() + Duration::from_secs(150);
    while !gateway.delivered().contains(&id) {
        assert!(
            Instant::now() < deadline,
            "no cron tick delivered message {id} (gateway saw {:?}):\n{}",
            gateway.requests(),
            spin.output()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(gateway.delivered(), vec![id], "delivered once");
    drop(spin);
}
