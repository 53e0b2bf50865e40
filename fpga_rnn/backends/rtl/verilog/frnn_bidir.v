// Bidirectional wrapper: feeds the forward core the sequence through a FIFO and the
// backward core the same sequence reversed (frnn_seqrev), then merges their outputs
// as Keras does: concat ({backward, forward}: forward elements first) or sum.
// RETSEQ=1: both output sequences are buffered (up to MAXT steps) and emitted in
// input time order, backward outputs flipped back; RETSEQ=0: one merged beat.
// Sum: y = cast(f * 2^(M-FF) + b * 2^(M-BF) -> out) with M = max(FF, BF).
// Reset: synchronous, active high.
`default_nettype none
/* verilator lint_off UNUSEDSIGNAL */  // with D = 1 or D = 2^k, count bits above the index are unused
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended

module frnn_bidir #(
    parameter integer IN_W = 8,
    parameter integer MAXT = 32,
    parameter integer RETSEQ = 0,
    parameter integer MERGE = 0,  // 0 concat, 1 sum
    parameter integer HF = 4, parameter integer FW = 16, parameter integer FF = 14,
    parameter integer HB = 4, parameter integer BW = 16, parameter integer BF = 14,
    parameter integer OW = 16, parameter integer OF = 10, parameter integer OQ = 6,
    parameter integer OO = 1,
    parameter integer OUT_W = (MERGE == 0) ? HF * FW + HB * BW : HF * OW
) (
    input  wire               clk,
    input  wire               rst,
    input  wire [ IN_W-1:0]   in_data,
    input  wire               in_valid,
    output wire               in_ready,
    input  wire               in_last,
    // to the forward / backward cores' inputs
    output wire [ IN_W-1:0]   fwd_data,
    output wire               fwd_valid,
    input  wire               fwd_ready,
    output wire               fwd_last,
    output wire [ IN_W-1:0]   bwd_data,
    output wire               bwd_valid,
    input  wire               bwd_ready,
    output wire               bwd_last,
    // from the forward / backward cores' outputs
    input  wire [HF*FW-1:0]   fo_data,
    input  wire               fo_valid,
    output wire               fo_ready,
    input  wire               fo_last,
    input  wire [HB*BW-1:0]   bo_data,
    input  wire               bo_valid,
    output wire               bo_ready,
    input  wire               bo_last,
    output reg  [OUT_W-1:0]   out_data,
    output reg                out_valid,
    input  wire               out_ready,
    output reg                out_last
);
  // ---- fork: a beat goes to the forward core's FIFO and the reverser together -----
  // The FIFO holds a whole sequence, so the input arrives at one beat per cycle, not
  // at the forward core's pace: the backward core starts as soon as the sequence is in
  // and both directions run at once.
  wire rv_ready, ff_ready;
  assign in_ready = ff_ready && rv_ready;
  frnn_fifo #(.W(IN_W + 1), .DEPTH(MAXT)) u_fwd (
      .clk(clk), .rst(rst), .in_data({in_last, in_data}), .in_valid(in_valid && rv_ready),
      .in_ready(ff_ready), .out_data({fwd_last, fwd_data}), .out_valid(fwd_valid),
      .out_ready(fwd_ready));
  frnn_seqrev #(.W(IN_W), .MAXT(MAXT)) u_rev (
      .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid && ff_ready),
      .in_ready(rv_ready), .in_last(in_last), .out_data(bwd_data), .out_valid(bwd_valid),
      .out_ready(bwd_ready), .out_last(bwd_last));

  // ---- collect both directions ------------------------------------------------------
  localparam integer D = (RETSEQ != 0) ? MAXT : 1;
  localparam integer PW = $clog2(D + 1);
  localparam integer IX = (D > 1) ? $clog2(D) : 1;
  reg [HF*FW-1:0] fbuf[0:D-1];
  reg [HB*BW-1:0] bbuf[0:D-1];
  reg [PW-1:0] fcnt, bcnt, ecnt, len;
  reg fdone, bdone, emitting;
  assign fo_ready = !rst && !fdone && !emitting;
  assign bo_ready = !rst && !bdone && !emitting;

  // merge of step t (t = ecnt); the backward buffer is filled back to front
  wire [PW-1:0] brd = len - 1'b1 - ecnt;
  wire [IX-1:0] fi = (RETSEQ != 0) ? ecnt[IX-1:0] : {IX{1'b0}};
  wire [IX-1:0] bi = (RETSEQ != 0) ? brd[IX-1:0] : {IX{1'b0}};
  wire [IX-1:0] fw = fcnt[IX-1:0];
  wire [IX-1:0] bw = bcnt[IX-1:0];
  wire [HF*FW-1:0] fv = fbuf[fi];
  wire [HB*BW-1:0] bv = bbuf[bi];
  wire [OUT_W-1:0] merged;
  genvar e;
  generate
    if (MERGE == 0) begin : g_cat
      assign merged = {bv, fv};
    end else begin : g_sum
      localparam integer M = (FF > BF) ? FF : BF;
      localparam integer SW = ((FW > BW) ? FW : BW) + M + 2;
      for (e = 0; e < HF; e = e + 1) begin : g_el
        wire signed [SW-1:0] s = ($signed(fv[e*FW+:FW]) <<< (M - FF))
            + ($signed(bv[e*BW+:BW]) <<< (M - BF));
        frnn_cast #(.IW(SW), .IF(M), .IS(1), .OW(OW), .OF(OF), .OS(1), .RND(OQ), .OVF(OO))
            u_c (.din(s), .dout(merged[e*OW+:OW]));
      end
    end
  endgenerate

  always @(posedge clk) begin
    if (rst) begin
      fcnt <= 0;
      bcnt <= 0;
      fdone <= 1'b0;
      bdone <= 1'b0;
      emitting <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      if (fo_valid && fo_ready) begin
        if (fcnt < D) fbuf[fw] <= fo_data;
        if (fcnt < D) fcnt <= fcnt + 1'b1;
        if (fo_last) fdone <= 1'b1;
      end
      if (bo_valid && bo_ready) begin
        if (bcnt < D) bbuf[bw] <= bo_data;
        if (bcnt < D) bcnt <= bcnt + 1'b1;
        if (bo_last) bdone <= 1'b1;
      end
      if (fdone && bdone && !emitting) begin
        emitting <= 1'b1;
        ecnt <= 0;
        len <= fcnt;
      end
      if (emitting && (!out_valid || out_ready)) begin
        out_data <= merged;
        out_valid <= 1'b1;
        out_last <= (ecnt == len - 1'b1);
        if (ecnt == len - 1'b1) begin
          emitting <= 1'b0;
          fdone <= 1'b0;
          bdone <= 1'b0;
          fcnt <= 0;
          bcnt <= 0;
        end else ecnt <= ecnt + 1'b1;
      end else if (out_valid && out_ready) out_valid <= 1'b0;
    end
  end
endmodule

`default_nettype wire
