// LSTM cell lane: one unit per cycle, pipelined (fpga_rnn.golden.recurrent.lstm_step).
//
// LS = 0 (3 cycles):
//   cycle 0: p = cast(a + cast(u -> accum) -> accum) for i, f, g, o; gate tables read
//   cycle 1: gates cast to GT; c = cast(g*i + c_old*f -> cell)          (registered)
//   cycle 2: tanh(c) table read
//   cycle 3: h = cast(o * cast(tanh(c) -> GT) -> state)  (combinational output)
// LS = 1 (8 cycles) adds five registers for the clock: p before the tables, each
// table's output register (two reads), the cell products before their sum, and
// o * tanh(c) before its cast. LS = 2 (13 cycles) pipelines the three products
// (frnn_mul_pipe: 3 cycles each instead of 1) and registers the cell sum before its
// cast. LS = 3 (15 cycles) registers each table's index before its block RAM (two
// tables in series: the gates', then tanh(c)). Gate order in a/u: i, f, g(c), o
// (Keras). u is the U*h row sum in AW bits.
`default_nettype none
`include "frnn_codes.vh"
/* verilator lint_off WIDTHEXPAND */  // the table file names: strings of two lengths
/* verilator lint_off UNUSEDSIGNAL */  // gi, gf, gg, go, o3, tcs: a signed gate's extension bit

module frnn_lstm_cell #(
    parameter integer AW = 32,
    parameter integer AC_W = 24, parameter integer AC_F = 16, parameter integer AC_Q = 0,
    parameter integer AC_O = 0,
    parameter integer ST_W = 16, parameter integer ST_F = 14, parameter integer ST_S = 1,
    parameter integer ST_Q = 6, parameter integer ST_O = 1,
    parameter integer GT_W = 18, parameter integer GT_F = 16, parameter integer GT_S = 1,
    parameter integer GT_Q = 6, parameter integer GT_O = 1,
    parameter integer CL_W = 22, parameter integer CL_F = 16, parameter integer CL_Q = 6,
    parameter integer CL_O = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16, parameter integer LOGN = 11,
    parameter integer LS = 0,
    parameter SIGMOID_MEM = "sigmoid.mem",
    parameter TANH_MEM = "tanh.mem"
) (
    input  wire              clk,
    input  wire [4*AC_W-1:0] a,
    input  wire [  4*AW-1:0] u,
    input  wire [  CL_W-1:0] c_old,
    output wire [  ST_W-1:0] h_new,
    output wire [  CL_W-1:0] c_new
);
  localparam integer S1 = (LS > 0) ? 1 : 0;  // the LS = 1 registers
  localparam integer S2 = (LS > 1) ? 1 : 0;  // the LS = 2 ones
  localparam integer S3 = (LS > 2) ? 1 : 0;  // the LS = 3 ones (table index registers)
  localparam integer PL = S1 + 2 * S2;  // a product's cycles (frnn_lane_mul)
  // a gate as a signed operand: 18 bits for an 18-bit signed gate (one DSP block)
  localparam integer GW = GT_W + ((GT_S != 0) ? 0 : 1);

  // cycle 0: pre-activations and gate tables
  wire [4*TB_W-1:0] t;
  genvar g;
  generate
    for (g = 0; g < 4; g = g + 1) begin : g_gate
      wire [AC_W-1:0] p, pq;
      frnn_preact #(
          .AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)
      ) u_pre (.a(a[g*AC_W+:AC_W]), .u(u[g*AW+:AW]), .p(p));
      frnn_delay #(.W(AC_W), .N(S1)) u_pq (.clk(clk), .din(p), .dout(pq));
      frnn_table #(
          .IW(AC_W), .IF(AC_F), .IS(1), .LOGN(LOGN), .LOGR(g == 2 ? `FRNN_LOG2R_TANH : `FRNN_LOG2R_SIGMOID), .EXP(0),
          .TW(TB_W), .OREG(S1), .IREG(S3), .MEMFILE(g == 2 ? TANH_MEM : SIGMOID_MEM)
      ) u_tab (.clk(clk), .din(pq), .dout(t[g*TB_W+:TB_W]));
    end
  endgenerate

  // cycle 1 (LS >= 1: 3): cell update, one rounding for the sum
  wire [CL_W-1:0] c1;
  frnn_delay #(.W(CL_W), .N(1 + 2 * S1 + S3)) u_c1 (.clk(clk), .din(c_old), .dout(c1));
  wire [4*GT_W-1:0] gt;
  generate
    for (g = 0; g < 4; g = g + 1) begin : g_cast
      frnn_cast #(
          .IW(TB_W), .IF(TB_F), .IS(1), .OW(GT_W), .OF(GT_F), .OS(GT_S), .RND(GT_Q), .OVF(GT_O)
      ) u_c (.din(t[g*TB_W+:TB_W]), .dout(gt[g*GT_W+:GT_W]));
    end
  endgenerate
  localparam integer SF = (2 * GT_F > CL_F + GT_F) ? 2 * GT_F : CL_F + GT_F;
  localparam integer SW = ((2 * GT_W > CL_W + GT_W) ? 2 * GT_W : CL_W + GT_W) + 3 + SF - GT_F;
  wire signed [GT_W:0] gi = (GT_S != 0) ? {gt[GT_W-1], gt[GT_W-1:0]} : {1'b0, gt[GT_W-1:0]};
  wire signed [GT_W:0] gf = (GT_S != 0) ? {gt[2*GT_W-1], gt[GT_W+:GT_W]} : {1'b0, gt[GT_W+:GT_W]};
  wire signed [GT_W:0] gg = (GT_S != 0) ? {gt[3*GT_W-1], gt[2*GT_W+:GT_W]} : {1'b0, gt[2*GT_W+:GT_W]};
  wire signed [GT_W:0] go = (GT_S != 0) ? {gt[4*GT_W-1], gt[3*GT_W+:GT_W]} : {1'b0, gt[3*GT_W+:GT_W]};
  wire signed [2*GW-1:0] p_gi;
  wire signed [CL_W+GW-1:0] p_cf;
  frnn_lane_mul #(.AW(GW), .BW(GW), .LS(LS)) u_mgi (
      .clk(clk), .a(gg[GW-1:0]), .b(gi[GW-1:0]), .p(p_gi));
  frnn_lane_mul #(.AW(CL_W), .BW(GW), .LS(LS)) u_mcf (
      .clk(clk), .a(c1), .b(gf[GW-1:0]), .p(p_cf));
  wire signed [SW-1:0] s_gi = $signed(p_gi) <<< (SF - 2 * GT_F);
  wire signed [SW-1:0] s_cf = $signed(p_cf) <<< (SF - CL_F - GT_F);
  wire signed [SW-1:0] s_cc = s_gi + s_cf;
  wire signed [SW-1:0] s_c;  // LS = 2: the sum registered before its cast
  frnn_delay #(.W(SW), .N(S2)) u_sc (.clk(clk), .din(s_cc), .dout(s_c));
  wire [CL_W-1:0] c_cast;
  frnn_cast #(
      .IW(SW), .IF(SF), .IS(1), .OW(CL_W), .OF(CL_F), .OS(1), .RND(CL_Q), .OVF(CL_O)
  ) u_cell (.din(s_c), .dout(c_cast));
  reg [CL_W-1:0] c2;
  always @(posedge clk) c2 <= c_cast;
  wire signed [GT_W:0] o2;
  frnn_delay #(.W(GT_W + 1), .N(1 + PL + S2)) u_o2 (.clk(clk), .din(go), .dout(o2));

  // cycle 2 (LS = 1: 5, LS = 2: 8): tanh(c)
  wire [TB_W-1:0] tc;
  frnn_table #(
      .IW(CL_W), .IF(CL_F), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_TANH), .EXP(0), .TW(TB_W),
      .OREG(S1), .IREG(S3), .MEMFILE(TANH_MEM)
  ) u_tanh (.clk(clk), .din(c2), .dout(tc));
  wire signed [GT_W:0] o3;
  frnn_delay #(.W(GT_W + 1), .N(1 + S1 + S3)) u_o3 (.clk(clk), .din(o2), .dout(o3));

  // cycle 3 (LS = 1: 7, and the cast in 8; LS = 2: 10, the cast in 13): h = o * tanh(c)
  wire [GT_W-1:0] tcg;
  frnn_cast #(
      .IW(TB_W), .IF(TB_F), .IS(1), .OW(GT_W), .OF(GT_F), .OS(GT_S), .RND(GT_Q), .OVF(GT_O)
  ) u_tc (.din(tc), .dout(tcg));
  wire signed [GT_W:0] tcs = (GT_S != 0) ? {tcg[GT_W-1], tcg} : {1'b0, tcg};
  wire signed [2*GW-1:0] oh;
  frnn_lane_mul #(.AW(GW), .BW(GW), .LS(LS)) u_moh (
      .clk(clk), .a(o3[GW-1:0]), .b(tcs[GW-1:0]), .p(oh));
  frnn_cast #(
      .IW(2 * GW), .IF(2 * GT_F), .IS(1), .OW(ST_W), .OF(ST_F), .OS(ST_S), .RND(ST_Q),
      .OVF(ST_O)
  ) u_h (.din(oh), .dout(h_new));
  frnn_delay #(.W(CL_W), .N(1 + S1 + S3 + PL)) u_c3 (.clk(clk), .din(c2), .dout(c_new));
endmodule

`default_nettype wire
