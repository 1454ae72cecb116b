// tb_folded.v: self-checking testbench for a generated snn_folded (not synthesizable).
//
// The weights and biases are NOT written through the configuration port:
// they come from the design's $readmemh files (snn_fold_weights.hex,
// snn_fold_bias.hex), so this bench checks what the bitstream would carry.
// Run it in the folder that holds those files.
// Reads two files written from the golden model (snnrtl's cosim crate):
//   in.hex   one word per input word: {in_last, in_lanes}
//   out.hex  one word per expected readout: {out_class, out_index, out_readout}
// Resets, streams the inputs (with STALL = 1: random input gaps and output
// back-pressure), checks every readout beat. Ends by printing
// "TESTBENCH PASS" or "TESTBENCH FAIL: ..." (the first mismatch).
`timescale 1ns / 1ps
`default_nettype none

module tb_folded;
  parameter integer LW = 2;           // in_lanes bits (2P)
  parameter integer RB = 8;           // out_readout bits
  parameter integer CB = 1;           // out_class / out_index bits
  parameter integer CAW = 2;          // cfg_addr bits
  parameter integer CDW = 8;          // cfg_data bits
  parameter integer N_IN = 1;         // words in in.hex
  parameter integer N_OUT = 1;        // words in out.hex
  parameter integer STALL = 0;
  parameter integer SEED = 1;
  parameter integer MAX_CYCLES = 4000000;

  reg clk = 1'b0;
  reg rst = 1'b1;
  reg in_valid = 1'b0;
  reg out_ready = 1'b0;
  reg [LW-1:0] in_lanes = {LW{1'b0}};
  reg in_last = 1'b0;
  wire in_ready, out_valid, out_last, tap_fire;
  wire [RB-1:0] out_readout;
  wire [CB-1:0] out_index, out_class;
  wire overflow, illegal_spike, framing_error;

  reg [LW:0] in_mem [0:N_IN-1];
  reg [RB+2*CB-1:0] out_mem [0:N_OUT-1];
  integer ii = 0, oo = 0, cyc = 0, seed = SEED;
  reg fail = 1'b0;

  snn_folded dut (
    .clk(clk), .rst(rst),
    .cfg_we(1'b0), .cfg_addr({CAW{1'b0}}), .cfg_data({CDW{1'b0}}),
    .in_valid(in_valid), .in_ready(in_ready), .in_lanes(in_lanes), .in_last(in_last),
    .out_valid(out_valid), .out_ready(out_ready), .out_readout(out_readout),
    .out_index(out_index), .out_class(out_class), .out_last(out_last),
    .tap_fire(tap_fire), .tap_event(),
    .overflow(overflow), .illegal_spike(illegal_spike), .framing_error(framing_error)
  );

  always #5 clk = ~clk;

  initial begin
    $readmemh("in.hex", in_mem);
    $readmemh("out.hex", out_mem);
    repeat (3) @(posedge clk);
    #1 rst = 1'b0;
    while (oo < N_OUT && cyc < MAX_CYCLES && !fail) begin
      @(negedge clk);
      in_valid = (ii < N_IN) && (STALL == 0 || ($random(seed) & 3) != 0);
      out_ready = (STALL == 0 || ($random(seed) & 3) != 0);
      if (ii < N_IN) begin
        in_lanes = in_mem[ii][LW-1:0];
        in_last = in_mem[ii][LW];
      end
      #1;
      if (out_valid && out_ready) begin
        if ({out_class, out_index, out_readout} !== out_mem[oo]) begin
          $display("TESTBENCH FAIL: readout %0d: expected class %0d index %0d readout %0d, got class %0d index %0d readout %0d",
                   oo, out_mem[oo][RB+2*CB-1:RB+CB], out_mem[oo][RB+CB-1:RB], $signed(out_mem[oo][RB-1:0]),
                   out_class, out_index, $signed(out_readout));
          fail = 1'b1;
        end
        oo = oo + 1;
      end
      if (in_valid && in_ready) ii = ii + 1;
      cyc = cyc + 1;
    end
    if (!fail && oo < N_OUT) $display("TESTBENCH FAIL: %0d of %0d readouts in %0d cycles", oo, N_OUT, cyc);
    else if (!fail && (framing_error || overflow)) $display("TESTBENCH FAIL: flags framing_error %0d overflow %0d", framing_error, overflow);
    else if (!fail) $display("TESTBENCH PASS: %0d readouts in %0d cycles", N_OUT, cyc);
    $finish;
  end
endmodule

`default_nettype wire
