// Simulation harness for a generated frnn_top (not synthesizable, not a core).
//
// Streams the sequences of tb_stim.mem ({user, last, data} per beat) into s_axis with
// random idle gaps (+GAP=percent), applies random backpressure on m_axis
// (+BP=percent), records every output beat in tb_resp.mem and, per sequence,
// the cycle its first input beat was accepted and the cycle its last output
// beat left (tb_cycles.mem: first, done pairs). +SERIAL=1 holds each sequence's
// first beat until every earlier sequence is out (isolated latencies). +RSTAT=n asserts reset for 3
// cycles at cycle n, then replays the interrupted sequence from its start
// (tb_index.mem: first input beat and first output beat of each sequence).
// Raises `done` when all NSEQ sequences are out; all randomness is an LFSR
// seeded with +SEED, so a run is reproducible.
`default_nettype none

module frnn_tb #(
    parameter integer IN_W = 8,
    parameter integer OUT_W = 8,
    parameter integer CAP_IN = 16,
    parameter integer CAP_OUT = 16,
    parameter integer CAP_SEQ = 4
) (
    output reg done  /*verilator public_flat_rw*/
);
  // The clock lives here (Verilator --timing), so cocotb only waits for `done` and
  // Python is never called per cycle.
  reg clk = 1'b0;
  always #5 clk = ~clk;
  reg [IN_W+1:0] stim[0:CAP_IN-1];
  reg [OUT_W:0] resp[0:CAP_OUT-1];
  reg [63:0] cycles[0:2*CAP_SEQ-1];
  reg [63:0] index[0:2*CAP_SEQ-1];
  integer nin, nout, nseq, gap, bp, rstat, seed, serial;
  initial begin
    $readmemh("tb_stim.mem", stim);
    $readmemh("tb_index.mem", index);
    if (!$value$plusargs("NIN=%d", nin)) nin = CAP_IN;
    if (!$value$plusargs("NOUT=%d", nout)) nout = CAP_OUT;
    if (!$value$plusargs("NSEQ=%d", nseq)) nseq = CAP_SEQ;
    if (!$value$plusargs("GAP=%d", gap)) gap = 0;
    if (!$value$plusargs("BP=%d", bp)) bp = 0;
    if (!$value$plusargs("RSTAT=%d", rstat)) rstat = -1;
    if (!$value$plusargs("SEED=%d", seed)) seed = 1;
    if (!$value$plusargs("SERIAL=%d", serial)) serial = 0;
  end

  reg [63:0] cyc;
  reg [31:0] lfsr;
  reg rst;
  reg [2:0] rst_cnt;
  integer in_idx, out_idx, seq_in, seq_out;
  reg in_vld, out_rdy, seq_start;

  wire [IN_W-1:0] s_tdata = stim[in_idx][IN_W-1:0];
  wire s_tlast = stim[in_idx][IN_W];
  wire s_tuser = stim[in_idx][IN_W+1];
  // SERIAL: a sequence's first beat is offered only once the ones before it are out
  // (valid never drops without a handshake: the gate closes right after a last beat)
  wire in_gate = serial == 0 || !seq_start || seq_in == seq_out;
  wire s_tvalid = in_vld && in_gate;
  wire s_tready;
  wire [OUT_W-1:0] m_tdata;
  wire m_tvalid, m_tlast;

  frnn_top dut (
      .clk(clk), .rst(rst),
      .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready),
      .s_axis_tlast(s_tlast), .s_axis_tuser(s_tuser),
      .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(out_rdy),
      .m_axis_tlast(m_tlast)
  );

  function [31:0] xorshift(input [31:0] x);
    reg [31:0] y;
    begin
      y = x ^ (x << 13);
      y = y ^ (y >> 17);
      xorshift = y ^ (y << 5);
    end
  endfunction
  wire [31:0] r1 = xorshift(lfsr);
  wire [31:0] r2 = xorshift(r1);

  initial begin
    cyc = 0;
    rst = 1'b1;
    rst_cnt = 3'd4;
    done = 1'b0;
    in_idx = 0;
    out_idx = 0;
    seq_in = 0;
    seq_out = 0;
    in_vld = 1'b0;
    out_rdy = 1'b0;
    seq_start = 1'b1;
    lfsr = 32'h1234_5678;
  end

  always @(posedge clk) begin
    cyc  <= cyc + 1;
    lfsr <= r2;
    if (cyc == 1) lfsr <= 32'h9e37_79b9 ^ seed;
    if (rst_cnt != 0) begin
      rst_cnt <= rst_cnt - 1'b1;
      rst <= 1'b1;
      in_vld <= 1'b0;
      out_rdy <= 1'b0;
    end else if (rstat >= 0 && cyc == rstat && !done) begin
      // reset mid-stream: replay from the first sequence not yet fully out
      rst_cnt <= 3'd3;
      rst <= 1'b1;
      in_vld <= 1'b0;
      out_rdy <= 1'b0;
      in_idx <= index[2*seq_out];
      out_idx <= index[2*seq_out+1];
      seq_in <= seq_out;
      seq_start <= 1'b1;
    end else begin
      rst <= 1'b0;
      out_rdy <= (r1 % 100) >= bp;
      if (s_tvalid && s_tready) begin
        if (seq_start) cycles[2*seq_in] <= cyc;
        seq_start <= s_tlast;
        if (s_tlast) seq_in <= seq_in + 1;
        in_idx <= in_idx + 1;
        in_vld <= (in_idx + 1 < nin) && ((r2 % 100) >= gap);
      end else if (!in_vld) in_vld <= (in_idx < nin) && ((r2 % 100) >= gap);
      if (m_tvalid && out_rdy && !done) begin
        resp[out_idx] <= {m_tlast, m_tdata};
        out_idx <= out_idx + 1;
        if (m_tlast) begin
          cycles[2*seq_out+1] <= cyc;
          seq_out <= seq_out + 1;
          if (seq_out + 1 == nseq) done <= 1'b1;
        end
      end
    end
  end

  reg written = 1'b0;
  always @(posedge clk) begin
    if (done && !written) begin
      written <= 1'b1;
      $writememh("tb_resp.mem", resp, 0, nout - 1);
      $writememh("tb_cycles.mem", cycles, 0, 2 * nseq - 1);
    end
  end
endmodule

`default_nettype wire
