//! Cost of the folded engine for a network file over a list of P:
//! `cargo run --release -p synth --example folded_cost -- NET.json TARGET P...`
//! (Yosys; on iCE40 also nextpnr over 3 seeds). Prints one JSON line per P.
use golden_model::NetworkConfig;
use rtl_gen::folded::plan::FoldedPlan;
use synth::folded::synthesize_folded;
use synth::Target;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&a[1]).expect("a network file"))
            .expect("JSON");
    let net = NetworkConfig::from_json(&v).expect("a network");
    let target = Target::parse(&a[2]).expect("a target");
    let tools = synth::find_tools(target.can_pnr()).expect("yosys (and nextpnr)");
    for p in &a[3..] {
        let p: usize = p.parse().expect("P");
        let plan = FoldedPlan::new(&net, p, None);
        let dir = std::env::temp_dir().join(format!("snnrtl-folded-cost-{}-{p}", target.name()));
        let seeds = synth::pnr::seeds(1, 3).expect("seeds 1..=3");
        let r = synthesize_folded(&net, &plan, target, &tools, &dir, &seeds).expect("synthesis");
        println!("{}", serde_json::to_string(&r).unwrap());
    }
}
