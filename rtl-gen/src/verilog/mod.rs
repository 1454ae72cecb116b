//! Typed Verilog-2005 AST and its printer.

pub mod ast;
pub mod print;
