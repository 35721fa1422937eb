//! The app on real Spin, and the same requests against the test host.

use fidelity::exchange::{Recorder, Target};
use fidelity::spin::{SpinEnv, SpinUp, repo_root};
use fidelity::{HostUp, assert_same, scenario};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a spin binary; cargo test-all runs it when there is one"]
async fn the_app_on_real_spin_passes_its_scenarios_and_answers_as_the_test_host_does() {
    let manifest = repo_root().join("spin.toml");
    let env = SpinEnv::get().expect("a spin binary and a plugin store");
    let spin = SpinUp::start(&env, &manifest, scenario::VARIABLES).expect("spin up serves the app");
    let mut on_spin = Recorder::new(Target::new("spin", &spin.base));
    let outcome = tokio::spawn(async move {
        scenario::run(&mut on_spin).await;
        on_spin
    })
    .await;
    let on_spin = match outcome {
        Ok(recorder) => recorder,
        Err(e) => panic!(
            "the scenarios failed on real Spin: {e}\n--- spin up said:\n{}",
            spin.output()
        ),
    };
    drop(spin);

    let host = HostUp::start(&manifest, scenario::VARIABLES).await;
    let mut on_host = Recorder::new(Target::new("host", &host.url()));
    scenario::run(&mut on_host).await;
    fidelity::dump("app", &on_spin.transcript, &on_host.transcript);
    println!("{} answers compared", on_spin.transcript.len());
    assert_same(&on_spin.transcript, &on_host.transcript);
}
