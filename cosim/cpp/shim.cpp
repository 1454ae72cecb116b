// shim.cpp: compiled with each Verilated top (snn_core or snn_network) into
// one shared library.
// It exports a small C ABI that the cosim loader (loader.cpp, reached from
// Rust through the cxx bridge) resolves with dlsym. The hot loop -- many
// clock cycles with input and output records -- runs here, in C++, so Rust
// crosses into C++ once per call, not once per cycle.
//
// Records are arrays of 32-bit words, little-endian by word:
//   input  record: in_lanes words, then 1 word in_last
//   output record: out_spikes words, out_state words, 1 word out_step,
//                  1 word flags (bit 0 overflow, 1 illegal_spike, 2 framing_error,
//                  sampled after the clock edge that took the output),
//                  2 words cycle (low, high)
//   tap record (a network with taps, SNN_TAPS defined): 1 word link index,
//                  tap_spikes words (every link's spikes, as on the port),
//                  2 words cycle (low, high); one record per link that moved
//                  a vector (tap_fire bit set) on a cycle of snn_sim_run
// A port of W bits takes ceil(W/32) words.
//
// The top comes from the build (cosim/src/verilator.rs): SNN_TOP is the
// Verilated class, SNN_TOP_HEADER its header, SNN_TOP_NAME the module name;
// by default snn_core. Any top with snn_core's ports works (snn_network has
// them, plus tap_fire and tap_spikes when SNN_TAPS is defined).
//
// SNN_FOLDED (the folded engine snn_folded, docs/folded.md) changes two
// records: the output record is out_readout words, 1 word out_index,
// 1 word out_class, 1 word flags (bits 0-2 as above, bit 3 out_last),
// 2 words cycle; the tap record carries tap_event ({layer, step, neuron,
// spike}) in place of tap_spikes. Its input record is snn_core's (in_lanes
// holds one word of P lanes).
#ifdef SNN_FOLDED
#define SNN_TAP_DATA tap_event
#else
#define SNN_TAP_DATA tap_spikes
#endif
#ifndef VM_TRACE
#define VM_TRACE 0
#endif
#ifndef SNN_TOP
#define SNN_TOP Vsnn_core
#define SNN_TOP_HEADER "Vsnn_core.h"
#define SNN_TOP_NAME "snn_core"
#endif
#include SNN_TOP_HEADER
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

double sc_time_stamp() { return 0; }

namespace {

template <typename T> constexpr uint32_t words_of(const T&) { return sizeof(T) > 4 ? 2 : 1; }
template <std::size_t N> constexpr uint32_t words_of(const VlWide<N>&) { return N; }

template <typename T> void put(T& port, const uint32_t* w) {
    uint64_t v = w[0];
    if (sizeof(T) > 4) v |= static_cast<uint64_t>(w[1]) << 32;
    port = static_cast<T>(v);
}
template <std::size_t N> void put(VlWide<N>& port, const uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) port[i] = w[i];
}
template <typename T> void get(const T& port, uint32_t* w) {
    uint64_t v = port;
    w[0] = static_cast<uint32_t>(v);
    if (sizeof(T) > 4) w[1] = static_cast<uint32_t>(v >> 32);
}
template <std::size_t N> void get(const VlWide<N>& port, uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) w[i] = port[i];
}

struct Sim {
    VerilatedContext ctx;
    SNN_TOP* top;
#if VM_TRACE
    VerilatedVcdC* vcd = nullptr;
#endif
    bool tracing = false;
    uint64_t cycle = 0;
    std::vector<uint32_t> taps;  // tap records not yet taken (snn_sim_take_taps)

    explicit Sim(const char* vcd_path) {
        ctx.debug(0);
        ctx.randReset(0);
#if VM_TRACE
        if (vcd_path && vcd_path[0]) ctx.traceEverOn(true);
#endif
        top = new SNN_TOP{&ctx, SNN_TOP_NAME};
#if VM_TRACE
        if (vcd_path && vcd_path[0]) {
            vcd = new VerilatedVcdC;
            top->trace(vcd, 99);
            vcd->open(vcd_path);
        }
#else
        (void)vcd_path;
#endif
        top->clk = 0;
        top->rst = 1;
        top->cfg_we = 0;
        top->in_valid = 0;
        top->out_ready = 1;
        top->eval();
    }
    ~Sim() {
        top->final();
#if VM_TRACE
        if (vcd) { vcd->close(); delete vcd; }
#endif
        delete top;
    }
    void dump() {
#if VM_TRACE
        if (vcd && tracing) vcd->dump(ctx.time());
#endif
    }
    // One clock: inputs are already set; settle with clk low, then rise.
    void low() { top->clk = 0; top->eval(); ctx.timeInc(1); dump(); }
    void high() { top->clk = 1; top->eval(); ctx.timeInc(1); dump(); ++cycle; }
};

}  // namespace

extern "C" {

// 2: version 1 plus snn_sim_tap_words and snn_sim_take_taps.
// 3: plus snn_sim_config_words (configuration data wider than 64 bits).
uint32_t snn_sim_abi_version() { return 3; }

void* snn_sim_new(const char* vcd_path) { return new Sim(vcd_path); }

void snn_sim_delete(void* p) { delete static_cast<Sim*>(p); }

int snn_sim_can_trace() { return VM_TRACE; }

void snn_sim_trace(void* p, int on) { static_cast<Sim*>(p)->tracing = on != 0; }

uint64_t snn_sim_cycle(void* p) { return static_cast<Sim*>(p)->cycle; }

// Words per record, so the caller can check its layout against the model's.
void snn_sim_layout(void* p, uint32_t* in_words, uint32_t* out_words) {
    SNN_TOP* t = static_cast<Sim*>(p)->top;
    *in_words = words_of(t->in_lanes) + 1;
#ifdef SNN_FOLDED
    *out_words = words_of(t->out_readout) + 1 + 1 + 1 + 2;
#else
    *out_words = words_of(t->out_spikes) + words_of(t->out_state) + 1 + 1 + 2;
#endif
}

void snn_sim_reset(void* p, uint32_t cycles) {
    Sim* s = static_cast<Sim*>(p);
    s->top->rst = 1;
    s->top->in_valid = 0;
    s->top->cfg_we = 0;
    for (uint32_t i = 0; i < cycles; ++i) { s->low(); s->high(); }
    s->top->rst = 0;
}

// One configuration write (one cycle with cfg_we high, the stream idle).
// The caller masks addr and data to the port widths: Verilator requires the
// bits above a port's width to be zero.
// cfg_data from n little-endian words (missing words are 0).
void snn_sim_config_words(void* p, uint64_t addr, const uint32_t* data, uint32_t n) {
    Sim* s = static_cast<Sim*>(p);
    uint32_t a[2] = {static_cast<uint32_t>(addr), static_cast<uint32_t>(addr >> 32)};
    std::vector<uint32_t> d(std::max<uint32_t>(words_of(s->top->cfg_data), 2), 0);
    std::memcpy(d.data(), data, std::min<std::size_t>(n, d.size()) * sizeof(uint32_t));
    put(s->top->cfg_addr, a);
    put(s->top->cfg_data, d.data());
    s->top->cfg_we = 1;
    s->top->in_valid = 0;
    s->low();
    s->high();
    s->top->cfg_we = 0;
}

void snn_sim_config(void* p, uint64_t addr, int64_t data) {
    uint32_t d[2] = {static_cast<uint32_t>(data), static_cast<uint32_t>(static_cast<uint64_t>(data) >> 32)};
    snn_sim_config_words(p, addr, d, 2);
}

// Runs up to max_cycles clocks. Input records are offered in order (a record
// is offered on cycle c only if valid_pattern is null or valid_pattern[c % n]
// is nonzero); out_ready follows ready_pattern the same way. Every output
// taken is written as a record to outputs. Stops early once max_outputs
// outputs were taken, or, with stop_when_inputs_taken, once every input was
// taken. counts[0] = inputs taken, counts[1] = outputs taken. Returns cycles run.
uint64_t snn_sim_run(void* p, uint64_t max_cycles, const uint32_t* inputs, uint64_t n_inputs,
                     const uint8_t* valid_pattern, const uint8_t* ready_pattern, uint64_t pattern_len,
                     uint32_t* outputs, uint64_t max_outputs, int stop_when_inputs_taken,
                     uint64_t* counts) {
    Sim* s = static_cast<Sim*>(p);
    SNN_TOP* t = s->top;
#ifdef SNN_FOLDED
    const uint32_t lw = words_of(t->in_lanes), sw = words_of(t->out_readout), stw = 1;
#else
    const uint32_t lw = words_of(t->in_lanes), sw = words_of(t->out_spikes), stw = words_of(t->out_state);
#endif
    const uint32_t iw = lw + 1, ow = sw + stw + 4;
#ifdef SNN_TAPS
    const uint32_t tw = words_of(t->SNN_TAP_DATA);
#endif
    uint64_t in_i = 0, out_i = 0, c = 0;
    for (; c < max_cycles; ++c) {
        if (out_i >= max_outputs && max_outputs > 0) break;
        if (stop_when_inputs_taken && in_i >= n_inputs) break;
        const bool offer = in_i < n_inputs && (!valid_pattern || valid_pattern[c % pattern_len]);
        t->in_valid = offer;
        if (in_i < n_inputs) {
            put(t->in_lanes, inputs + in_i * iw);
            t->in_last = inputs[in_i * iw + lw] & 1;
        }
        t->out_ready = !ready_pattern || ready_pattern[c % pattern_len];
        s->low();
        const bool in_fire = t->in_valid && t->in_ready;
        const bool out_fire = t->out_valid && t->out_ready && out_i < max_outputs;
#ifdef SNN_TAPS
        const uint64_t fire = t->tap_fire;
        for (uint32_t k = 0; k < 64 && (fire >> k) != 0; ++k) {
            if (!((fire >> k) & 1)) continue;
            const std::size_t at = s->taps.size();
            s->taps.resize(at + tw + 3);
            s->taps[at] = k;
            get(t->SNN_TAP_DATA, &s->taps[at + 1]);
            s->taps[at + 1 + tw] = static_cast<uint32_t>(s->cycle);
            s->taps[at + 2 + tw] = static_cast<uint32_t>(s->cycle >> 32);
        }
#endif
        uint32_t* rec = outputs + out_i * ow;
        if (out_fire) {
#ifdef SNN_FOLDED
            get(t->out_readout, rec);
            rec[sw] = t->out_index;
            rec[sw + stw] = t->out_class;
#else
            get(t->out_spikes, rec);
            get(t->out_state, rec + sw);
            rec[sw + stw] = t->out_step;
#endif
        }
#ifdef SNN_FOLDED
        const uint32_t last_bit = (t->out_last & 1) << 3;
#else
        const uint32_t last_bit = 0;
#endif
        s->high();
        if (out_fire) {
            rec[sw + stw + 1] = (t->overflow & 1) | ((t->illegal_spike & 1) << 1) | ((t->framing_error & 1) << 2) | last_bit;
            rec[sw + stw + 2] = static_cast<uint32_t>(s->cycle - 1);
            rec[sw + stw + 3] = static_cast<uint32_t>((s->cycle - 1) >> 32);
            ++out_i;
        }
        if (in_fire) ++in_i;
    }
    t->in_valid = 0;
    counts[0] = in_i;
    counts[1] = out_i;
    return c;
}

// Words per tap record (see the top of this file); 0 when the design has no taps.
uint32_t snn_sim_tap_words(void* p) {
#ifdef SNN_TAPS
    return words_of(static_cast<Sim*>(p)->top->SNN_TAP_DATA) + 3;
#else
    (void)p;
    return 0;
#endif
}

// Moves up to max_records tap records, oldest first, into out; returns how many.
uint64_t snn_sim_take_taps(void* p, uint32_t* out, uint64_t max_records) {
    Sim* s = static_cast<Sim*>(p);
    const uint32_t w = snn_sim_tap_words(p);
    if (w == 0) return 0;
    const uint64_t n = std::min<uint64_t>(max_records, s->taps.size() / w);
    std::memcpy(out, s->taps.data(), n * w * sizeof(uint32_t));
    s->taps.erase(s->taps.begin(), s->taps.begin() + static_cast<std::ptrdiff_t>(n * w));
    return n;
}

// The pure C++ baseline for the bridge benchmark: the same clocking as
// snn_sim_run, inputs cycling through n_inputs records, out_ready high, no
// records written. Returns nanoseconds taken.
uint64_t snn_sim_bench_pure(void* p, uint64_t cycles, const uint32_t* inputs, uint64_t n_inputs) {
    Sim* s = static_cast<Sim*>(p);
    SNN_TOP* t = s->top;
    const uint32_t lw = words_of(t->in_lanes), iw = lw + 1;
    uint64_t in_i = 0;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t c = 0; c < cycles; ++c) {
        t->in_valid = 1;
        put(t->in_lanes, inputs + in_i * iw);
        t->in_last = inputs[in_i * iw + lw] & 1;
        t->out_ready = 1;
        s->low();
        const bool in_fire = t->in_ready;
        s->high();
        if (in_fire && ++in_i == n_inputs) in_i = 0;
    }
    const auto end = std::chrono::steady_clock::now();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

}  // extern "C"
