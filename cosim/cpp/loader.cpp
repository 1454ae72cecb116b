// loader.cpp: dlopen a per-design library and call its C ABI (see shim.cpp).
#include "cosim/cpp/loader.h"
#include "cosim/src/bridge.rs.h"
#include <dlfcn.h>
#include <stdexcept>
#include <string>

namespace snnrtl {

struct Sim::Api {
    uint32_t (*abi_version)();
    void* (*create)(const char*);
    void (*destroy)(void*);
    int (*can_trace)();
    void (*trace)(void*, int);
    uint64_t (*cycle)(void*);
    void (*layout)(void*, uint32_t*, uint32_t*);
    void (*reset)(void*, uint32_t);
    void (*config)(void*, uint64_t, int64_t);
    void (*config_words)(void*, uint64_t, const uint32_t*, uint32_t);
    uint64_t (*run)(void*, uint64_t, const uint32_t*, uint64_t, const uint8_t*, const uint8_t*, uint64_t,
                    uint32_t*, uint64_t, int, uint64_t*);
    uint64_t (*bench_pure)(void*, uint64_t, const uint32_t*, uint64_t);
    uint32_t (*tap_words)(void*);
    uint64_t (*take_taps)(void*, uint32_t*, uint64_t);
};

template <typename F> static void resolve(void* h, const char* name, F& f) {
    f = reinterpret_cast<F>(dlsym(h, name));
    if (!f) throw std::runtime_error(std::string("design library lacks ") + name);
}

std::unique_ptr<Sim> open_sim(rust::Str library, rust::Str vcd_path) {
    std::string lib(library);
    // The library is never closed: Verilator's runtime keeps process-wide state.
    void* h = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
    auto api = std::make_unique<Sim::Api>();
    resolve(h, "snn_sim_abi_version", api->abi_version);
    if (api->abi_version() != 3)
        throw std::runtime_error(lib + ": shim ABI version " + std::to_string(api->abi_version()) +
                                 " is not 3 (a library from another snnrtl; rebuild it)");
    resolve(h, "snn_sim_new", api->create);
    resolve(h, "snn_sim_delete", api->destroy);
    resolve(h, "snn_sim_can_trace", api->can_trace);
    resolve(h, "snn_sim_trace", api->trace);
    resolve(h, "snn_sim_cycle", api->cycle);
    resolve(h, "snn_sim_layout", api->layout);
    resolve(h, "snn_sim_reset", api->reset);
    resolve(h, "snn_sim_config", api->config);
    resolve(h, "snn_sim_config_words", api->config_words);
    resolve(h, "snn_sim_run", api->run);
    resolve(h, "snn_sim_bench_pure", api->bench_pure);
    resolve(h, "snn_sim_tap_words", api->tap_words);
    resolve(h, "snn_sim_take_taps", api->take_taps);
    std::string vcd(vcd_path);
    void* sim = api->create(vcd.c_str());
    return std::make_unique<Sim>(h, sim, std::move(api));
}

Sim::Sim(void* handle, void* sim, std::unique_ptr<Api> api)
    : handle_(handle), sim_(sim), api_(std::move(api)) {}
Sim::~Sim() {
    if (api_ && sim_) api_->destroy(sim_);
}

Layout Sim::layout() const {
    Layout l{};
    api_->layout(sim_, &l.in_words, &l.out_words);
    return l;
}
bool Sim::can_trace() const { return api_->can_trace() != 0; }
void Sim::set_trace(bool on) { api_->trace(sim_, on ? 1 : 0); }
uint64_t Sim::cycle() const { return api_->cycle(sim_); }
void Sim::reset(uint32_t cycles) { api_->reset(sim_, cycles); }
void Sim::config_write(uint64_t addr, int64_t data) { api_->config(sim_, addr, data); }
void Sim::config_write_words(uint64_t addr, rust::Slice<const uint32_t> data) {
    api_->config_words(sim_, addr, data.data(), static_cast<uint32_t>(data.size()));
}

RunCounts Sim::run(uint64_t max_cycles, rust::Slice<const uint32_t> inputs, uint64_t n_inputs,
                   rust::Slice<const uint8_t> valid_pattern, rust::Slice<const uint8_t> ready_pattern,
                   rust::Slice<uint32_t> outputs, uint64_t max_outputs, bool stop_when_inputs_taken) {
    const Layout l = layout();
    if (inputs.size() < n_inputs * l.in_words) throw std::runtime_error("input slice too short");
    if (outputs.size() < max_outputs * l.out_words) throw std::runtime_error("output slice too short");
    if (!valid_pattern.empty() && !ready_pattern.empty() && valid_pattern.size() != ready_pattern.size())
        throw std::runtime_error("valid and ready patterns differ in length");
    const uint64_t plen = valid_pattern.empty() ? ready_pattern.size() : valid_pattern.size();
    uint64_t counts[2] = {0, 0};
    RunCounts r{};
    r.cycles = api_->run(sim_, max_cycles, inputs.data(), n_inputs,
                         valid_pattern.empty() ? nullptr : valid_pattern.data(),
                         ready_pattern.empty() ? nullptr : ready_pattern.data(), plen, outputs.data(),
                         max_outputs, stop_when_inputs_taken ? 1 : 0, counts);
    r.inputs_taken = counts[0];
    r.outputs_taken = counts[1];
    return r;
}

uint64_t Sim::bench_pure(uint64_t cycles, rust::Slice<const uint32_t> inputs, uint64_t n_inputs) {
    if (n_inputs == 0 || inputs.size() < n_inputs * layout().in_words) throw std::runtime_error("bad inputs");
    return api_->bench_pure(sim_, cycles, inputs.data(), n_inputs);
}

uint32_t Sim::tap_words() const { return api_->tap_words(sim_); }

uint64_t Sim::take_taps(rust::Slice<uint32_t> out) {
    const uint32_t w = tap_words();
    if (w == 0) return 0;
    return api_->take_taps(sim_, out.data(), out.size() / w);
}

}  // namespace snnrtl
