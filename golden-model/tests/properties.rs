//! Properties of SPEC sections 2-4 over random inputs.

use golden_model::lanes::{self, LaneVec};
use golden_model::neuron::{psn, tmn};
use golden_model::synapse::Synapses;
use proptest::prelude::*;

fn currents(t: usize) -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(-4096i64..=4096, t)
}

proptest! {
    #[test]
    fn masked_psn_is_full_psn_with_band_zeroed(
        (t, p, b, c) in (1usize..=16).prop_flat_map(|t| (
            Just(t),
            prop::collection::vec(prop::collection::vec(-128i64..=127, t), t),
            prop::collection::vec(-5000i64..=5000, t),
            currents(t),
        )),
        k in 1usize..=20,
    ) {
        let masked = psn::run_masked(k, &p, &b, &c, 62);
        let full = psn::run_full(&psn::masked_matrix(k, &p), &b, &c, 62);
        prop_assert_eq!(masked, full);
        prop_assert_eq!(t, c.len());
    }

    #[test]
    fn sliding_psn_is_full_psn_with_toeplitz_matrix(
        (t, c) in (1usize..=16).prop_flat_map(|t| (Just(t), currents(t))),
        (k, w) in (1usize..=20).prop_flat_map(|k| (Just(k), prop::collection::vec(-128i64..=127, k))),
        b in -5000i64..=5000,
    ) {
        let sliding = psn::run_sliding(k, &w, b, &c, 62);
        let full = psn::run_full(&psn::sliding_matrix(k, &w, t), &vec![b; t], &c, 62);
        prop_assert_eq!(sliding, full);
    }

    #[test]
    fn tmn_identity_holds(
        q in 1u32..=12,
        c in (1usize..=24).prop_flat_map(currents),
    ) {
        let vth = 1i64 << q;
        let tr = tmn::run(vth, &c, 62);
        prop_assert!(!tr.overflow);
        let lhs = i128::from(vth) * tmn::spike_value(&tr.spikes) + i128::from(*tr.state.last().unwrap());
        prop_assert_eq!(lhs, tmn::current_value(&c));
        // Ternary spikes only, and a neuron that keeps up stays within theta.
        prop_assert!(tr.spikes.iter().all(|s| (-1..=1).contains(s)));
    }

    #[test]
    fn lane_round_trip(spikes in prop::collection::vec(-1i64..=1, 0..200)) {
        let v = LaneVec::from_spikes(&spikes).unwrap();
        let back: Vec<i64> = v.to_spikes().into_iter().map(i64::from).collect();
        prop_assert_eq!(&back, &spikes);
        prop_assert!(!v.has_illegal());
        for (i, &s) in spikes.iter().enumerate() {
            prop_assert_eq!(lanes::decode(v.code(i)), (s as i8, false));
            prop_assert_eq!(Some(v.code(i)), lanes::encode(s));
        }
    }

    #[test]
    fn raw_codes_round_trip_and_flag_illegal(codes in prop::collection::vec(0u8..=3, 0..200)) {
        let v = LaneVec::from_codes(&codes).unwrap();
        prop_assert_eq!(v.to_codes(), codes.clone());
        prop_assert_eq!(v.has_illegal(), codes.contains(&lanes::CODE_ILLEGAL));
    }

    #[test]
    fn packed_synapses_equal_naive_loop(
        (inputs, outputs, bits) in (1usize..=300, 1usize..=150, 2u32..=16),
        seed in any::<u64>(),
        zero_pct in 0u64..=100,
    ) {
        let mut x = seed;
        let mut next = move || { x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); x >> 33 };
        let lim = 1i64 << (bits - 1);
        let w: Vec<Vec<i64>> = (0..outputs)
            .map(|_| (0..inputs).map(|_| (next() as i64 % (2 * lim)) - lim).collect())
            .collect();
        let codes: Vec<u8> = (0..inputs)
            .map(|_| if next() % 100 < zero_pct { if next() % 7 == 0 { 2 } else { 0 } } else if next() % 2 == 0 { 1 } else { 3 })
            .collect();
        let lanes = LaneVec::from_codes(&codes).unwrap();
        let dense: Vec<i32> = lanes.to_spikes().into_iter().map(i32::from).collect();
        let syn = Synapses::new(&w);
        let (mut p, mut n) = (vec![0; outputs], vec![0; outputs]);
        syn.currents_packed(&lanes, &mut p);
        syn.currents_naive(&dense, &mut n);
        prop_assert_eq!(p, n);
    }
}
