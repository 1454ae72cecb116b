// tb_core.v: self-checking testbench for a generated snn_core (not synthesizable).
//
// Reads three files written from the golden model (snnrtl's cosim crate):
//   cfg.hex  one word per configuration write: {cfg_addr, cfg_data}
//   in.hex   one word per input vector: {in_last, in_lanes}
//   out.hex  one word per expected output vector:
//            {illegal_spike, overflow, out_step, out_state, out_spikes}
//            (the flags are the sticky values expected after the sample's last output)
// Resets, loads the configuration, streams the inputs (with STALL = 1: random
// input gaps and output back-pressure), checks every output vector and, after
// each sample's last output, the sticky flags. Ends by printing
// "TESTBENCH PASS" or "TESTBENCH FAIL: ..." (the first mismatch).
// Run: iverilog -g2005 -s tb_core -P tb_core.R=.. (all parameters) tb_core.v <design>/*.v; vvp a.out [+vcd]
`timescale 1ns / 1ps
`default_nettype none

module tb_core;
  parameter integer R = 1;            // inputs (rows)
  parameter integer C = 1;            // outputs (columns)
  parameter integer T = 1;            // timesteps
  parameter integer SB = 8;           // state bits
  parameter integer TW = 1;           // step index bits
  parameter integer CAW = 3;          // cfg_addr bits
  parameter integer CDW = 8;          // cfg_data bits
  parameter integer N_CFG = 1;        // words in cfg.hex
  parameter integer N_IN = 1;         // words in in.hex
  parameter integer N_OUT = 1;        // words in out.hex
  parameter integer STALL = 0;        // 1: random input gaps and output back-pressure
  parameter integer SEED = 1;
  parameter integer MAX_CYCLES = 2000000;
  localparam integer OW = 2 * C + C * SB + TW + 2;

  reg clk = 1'b0;
  reg rst = 1'b1;
  reg cfg_we = 1'b0;
  reg [CAW-1:0] cfg_addr = {CAW{1'b0}};
  reg [CDW-1:0] cfg_data = {CDW{1'b0}};
  reg in_valid = 1'b0;
  reg [2*R-1:0] in_lanes = {2*R{1'b0}};
  reg in_last = 1'b0;
  reg out_ready = 1'b0;
  wire in_ready, out_valid, out_last, overflow, illegal_spike, framing_error;
  wire [2*C-1:0] out_spikes;
  wire [C*SB-1:0] out_state;
  wire [TW-1:0] out_step;

  snn_core dut (
    .clk(clk), .rst(rst),
    .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_data(cfg_data),
    .in_valid(in_valid), .in_ready(in_ready), .in_lanes(in_lanes), .in_last(in_last),
    .out_valid(out_valid), .out_ready(out_ready), .out_spikes(out_spikes),
    .out_state(out_state), .out_step(out_step), .out_last(out_last),
    .overflow(overflow), .illegal_spike(illegal_spike), .framing_error(framing_error)
  );

  reg [CAW+CDW-1:0] cfg_mem [0:N_CFG-1];
  reg [2*R:0] in_mem [0:N_IN-1];
  reg [OW-1:0] out_mem [0:N_OUT-1];
  integer in_idx = 0;
  integer out_idx = 0;
  integer cycle = 0;
  integer k;
  integer seed = SEED;
  reg streaming = 1'b0;
  reg check_flags = 1'b0;
  reg finished = 1'b0;
  reg [1:0] want_flags = 2'b00;
  reg [OW-1:0] want;

  always #5 clk = ~clk;

  task fail;
    input [8*16-1:0] field;
    input [OW-1:0] expected;
    input [OW-1:0] got;
    begin
      $display("TESTBENCH FAIL: output %0d (sample %0d, step %0d), cycle %0d: %0s expected %h, got %h",
               out_idx, out_idx / T, out_idx % T, cycle, field, expected, got);
      $finish;
    end
  endtask

  initial begin
    $readmemh("cfg.hex", cfg_mem);
    $readmemh("in.hex", in_mem);
    $readmemh("out.hex", out_mem);
    if ($test$plusargs("vcd")) begin
      $dumpfile("tb_core.vcd");
      $dumpvars(0, tb_core);
    end
    @(negedge clk);
    @(negedge clk);
    rst = 1'b0;
    for (k = 0; k < N_CFG; k = k + 1) begin
      cfg_we = 1'b1;
      {cfg_addr, cfg_data} = cfg_mem[k];
      @(negedge clk);
    end
    cfg_we = 1'b0;
    streaming = 1'b1;
  end

  // Drive on the falling edge.
  always @(negedge clk) begin
    if (streaming) begin
      in_valid = (in_idx < N_IN) && (STALL == 0 || ($random(seed) & 3) != 0);
      {in_last, in_lanes} = (in_idx < N_IN) ? in_mem[in_idx] : {(2*R+1){1'b0}};
      out_ready = (STALL == 0) || (($random(seed) & 3) != 0);
    end
  end

  // Check on the rising edge.
  always @(posedge clk) begin
    if (streaming) begin
      cycle = cycle + 1;
      if (check_flags) begin
        check_flags = 1'b0;
        if ({illegal_spike, overflow} !== want_flags)
          fail("flags {ill,ovf}", {{(OW-2){1'b0}}, want_flags}, {{(OW-2){1'b0}}, illegal_spike, overflow});
        if (finished) begin
          $display("TESTBENCH PASS: %0d outputs, %0d cycles", N_OUT, cycle);
          $finish;
        end
      end
      if (framing_error) fail("framing_error", 0, 1);
      if (in_valid && in_ready) in_idx = in_idx + 1;
      if (out_valid && out_ready) begin
        if (out_idx >= N_OUT) fail("extra output", 0, 0);
        want = out_mem[out_idx];
        if (out_spikes !== want[2*C-1:0])
          fail("spikes", want[2*C-1:0], out_spikes);
        if (out_state !== want[2*C +: C*SB])
          fail("state", want[2*C +: C*SB], out_state);
        if (out_step !== want[2*C + C*SB +: TW])
          fail("step", want[2*C + C*SB +: TW], out_step);
        if (out_last) begin
          check_flags = 1'b1;
          want_flags = want[OW-1 -: 2];
        end
        out_idx = out_idx + 1;
        if (out_idx == N_OUT) finished = 1'b1;
      end
      if (cycle > MAX_CYCLES) begin
        $display("TESTBENCH FAIL: timeout after %0d cycles with %0d of %0d outputs", cycle, out_idx, N_OUT);
        $finish;
      end
    end
  end
endmodule

`default_nettype wire
