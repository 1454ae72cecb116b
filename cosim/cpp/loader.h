// loader.h: the C++ side of the cxx bridge. A Sim is one Verilated top
// (snn_core, or snn_network with taps)
// loaded from a per-design shared library (built at run time by
// cosim/src/verilator.rs) and driven through the C ABI of shim.cpp.
#pragma once
#include "rust/cxx.h"
#include <cstdint>
#include <memory>

namespace snnrtl {

struct RunCounts;
struct Layout;

class Sim {
public:
    struct Api;  // the library's entry points, resolved by open_sim
    Sim(void* handle, void* sim, std::unique_ptr<Api> api);
    ~Sim();
    Sim(const Sim&) = delete;
    Sim& operator=(const Sim&) = delete;

    Layout layout() const;
    bool can_trace() const;
    void set_trace(bool on);
    uint64_t cycle() const;
    void reset(uint32_t cycles);
    void config_write(uint64_t addr, int64_t data);
    void config_write_words(uint64_t addr, rust::Slice<const uint32_t> data);
    RunCounts run(uint64_t max_cycles, rust::Slice<const uint32_t> inputs, uint64_t n_inputs,
                  rust::Slice<const uint8_t> valid_pattern, rust::Slice<const uint8_t> ready_pattern,
                  rust::Slice<uint32_t> outputs, uint64_t max_outputs, bool stop_when_inputs_taken);
    uint64_t bench_pure(uint64_t cycles, rust::Slice<const uint32_t> inputs, uint64_t n_inputs);
    uint32_t tap_words() const;
    uint64_t take_taps(rust::Slice<uint32_t> out);

private:
    void* handle_;
    void* sim_;
    std::unique_ptr<Api> api_;
};

std::unique_ptr<Sim> open_sim(rust::Str library, rust::Str vcd_path);

}  // namespace snnrtl
