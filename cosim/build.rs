// Builds the C++ side of the cxx bridge: the loader that dlopens per-design
// libraries. The designs themselves are compiled at run time (src/verilator.rs).
fn main() {
    cxx_build::bridge("src/bridge.rs")
        .file("cpp/loader.cpp")
        .std("c++17")
        .flag_if_supported("-Wall")
        .compile("snnrtl_cosim_loader");
    for f in ["src/bridge.rs", "cpp/loader.cpp", "cpp/loader.h"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rustc-link-lib=dl");
}
