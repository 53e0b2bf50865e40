// GRU cell lane: one unit per cycle, pipelined (fpga_rnn.golden.recurrent.gru_step).
//
// RESET_AFTER=1 (one pass; u holds U*h + b_r for z, r, h):
//   cycle 0: z, r pre-activations; sigmoid tables read
//   cycle 1: s = cast(r * u_h -> accum); ph = cast(a_h + s -> accum); tanh table read
//   cycle 2: h = cast(hh*(1-z) + h_old*z -> state)           (combinational output)
// RESET_AFTER=0 (two passes, output at cycle 1 of each):
//   phase 0: u = U_zr*h; cycle 1 outputs rh = cast(r * h_old -> state) on h_new, z on z_new
//   phase 1: u = U_h*rh; cycle 0 tanh table read on cast(a_h + u -> accum);
//            cycle 1 outputs the new h from z_old
// LS = 1 adds registers for the clock: each pre-activation before its table, each
// table's output register, r*u_h before its cast, the candidate pre-activation
// before the tanh table, and the update's products before their sum (reset_after=1:
// 8 cycles instead of 2; reset_after=0: 4 instead of 1 in each phase). LS = 2 also
// pipelines the products (frnn_mul_pipe: 3 cycles instead of 1) and registers r*u_h's
// cast and the update's sum (reset_after=1: 14 cycles; reset_after=0: 7 per phase).
// LS = 3 registers each table's index before its block RAM (reset_after=1: two tables
// in series, 16 cycles; reset_after=0: one per phase, 8).
// Gate order in a/u: z, r, h (Keras).
`default_nettype none
`include "frnn_codes.vh"
/* verilator lint_off UNUSEDSIGNAL */  // phase, ph0, z1, hs1 serve reset_after=0 only

module frnn_gru_cell #(
    parameter integer RESET_AFTER = 1,
    parameter integer AW = 32,
    parameter integer AC_W = 24, parameter integer AC_F = 16, parameter integer AC_Q = 0,
    parameter integer AC_O = 0,
    parameter integer ST_W = 16, parameter integer ST_F = 14, parameter integer ST_S = 1,
    parameter integer ST_Q = 6, parameter integer ST_O = 1,
    parameter integer GT_W = 18, parameter integer GT_F = 16, parameter integer GT_S = 1,
    parameter integer GT_Q = 6, parameter integer GT_O = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16, parameter integer LOGN = 11,
    parameter integer LS = 0,
    parameter SIGMOID_MEM = "sigmoid.mem",
    parameter TANH_MEM = "tanh.mem"
) (
    input  wire              clk,
    input  wire              phase,
    input  wire [3*AC_W-1:0] a,
    input  wire [  3*AW-1:0] u,
    input  wire [  ST_W-1:0] h_old,
    input  wire [  GT_W-1:0] z_old,
    output wire [  ST_W-1:0] h_new,
    output wire [  GT_W-1:0] z_new
);
  localparam integer S1 = (LS > 0) ? 1 : 0;  // the LS = 1 registers
  localparam integer S2 = (LS > 1) ? 1 : 0;  // the LS = 2 ones
  localparam integer S3 = (LS > 2) ? 1 : 0;  // the LS = 3 ones (table index registers)
  localparam integer PL = S1 + 2 * S2;  // a product's cycles (frnn_lane_mul)
  localparam integer UL = PL + S2;  // frnn_gru_update's cycles
  // a gate as a signed operand: 18 bits for an 18-bit signed gate (one DSP block)
  localparam integer GW = GT_W + ((GT_S != 0) ? 0 : 1);
  localparam integer HW = ST_W + ((ST_S != 0) ? 0 : 1);

  // cycle 0: z, r tables (phase 0 / reset_after) or the candidate table (phase 1)
  wire [AC_W-1:0] pz, pr, ph0;
  frnn_preact #(.AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)) u_pz (
      .a(a[0+:AC_W]), .u(u[0+:AW]), .p(pz));
  frnn_preact #(.AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)) u_pr (
      .a(a[AC_W+:AC_W]), .u(u[AW+:AW]), .p(pr));
  // reset_after=0, phase 1: U_h*rh arrives in the first u slot
  frnn_preact #(.AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)) u_ph (
      .a(a[2*AC_W+:AC_W]), .u(u[0+:AW]), .p(ph0));
  wire [TB_W-1:0] tz, tr, th;
  wire [AC_W-1:0] pzq, prq, ph0q;  // LS = 1: registered before the tables
  frnn_delay #(.W(AC_W), .N(S1)) u_pzq (.clk(clk), .din(pz), .dout(pzq));
  frnn_delay #(.W(AC_W), .N(S1)) u_prq (.clk(clk), .din(pr), .dout(prq));
  frnn_delay #(.W(AC_W), .N(S1)) u_phq (.clk(clk), .din(ph0), .dout(ph0q));
  frnn_table #(.IW(AC_W), .IF(AC_F), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_SIGMOID), .EXP(0), .TW(TB_W),
      .OREG(S1), .IREG(S3), .MEMFILE(SIGMOID_MEM)) u_tz (.clk(clk), .din(pzq), .dout(tz));
  frnn_table #(.IW(AC_W), .IF(AC_F), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_SIGMOID), .EXP(0), .TW(TB_W),
      .OREG(S1), .IREG(S3), .MEMFILE(SIGMOID_MEM)) u_tr (.clk(clk), .din(prq), .dout(tr));
  // side data, in step with the gate tables (cycle 1; LS = 1: 3)
  wire [ST_W-1:0] h1;
  wire [AC_W-1:0] ah1;
  wire [AW-1:0] uh1;
  wire [GT_W-1:0] z1;
  frnn_delay #(.W(ST_W), .N(1 + 2 * S1 + S3)) u_h1 (.clk(clk), .din(h_old), .dout(h1));
  frnn_delay #(.W(AC_W), .N(1 + 2 * S1 + S3)) u_ah1 (.clk(clk), .din(a[2*AC_W+:AC_W]), .dout(ah1));
  frnn_delay #(.W(AW), .N(1 + 2 * S1 + S3)) u_uh1 (.clk(clk), .din(u[2*AW+:AW]), .dout(uh1));
  frnn_delay #(.W(GT_W), .N(1 + 2 * S1 + S3)) u_z1 (.clk(clk), .din(z_old), .dout(z1));
  wire [GT_W-1:0] zg, rg;
  frnn_cast #(.IW(TB_W), .IF(TB_F), .IS(1), .OW(GT_W), .OF(GT_F), .OS(GT_S), .RND(GT_Q),
      .OVF(GT_O)) u_zc (.din(tz), .dout(zg));
  frnn_cast #(.IW(TB_W), .IF(TB_F), .IS(1), .OW(GT_W), .OF(GT_F), .OS(GT_S), .RND(GT_Q),
      .OVF(GT_O)) u_rc (.din(tr), .dout(rg));
  wire signed [GT_W:0] rs = (GT_S != 0) ? {rg[GT_W-1], rg} : {1'b0, rg};
  wire signed [ST_W:0] hs1 = (ST_S != 0) ? {h1[ST_W-1], h1} : {1'b0, h1};

  generate
    if (RESET_AFTER != 0) begin : g_ra
      // cycle 1: reset applied to the recurrent candidate sum
      wire [AC_W-1:0] uh;
      frnn_cast #(.IW(AW), .IF(AC_F), .IS(1), .OW(AC_W), .OF(AC_F), .OS(1), .RND(AC_Q),
          .OVF(AC_O)) u_uh (.din(uh1), .dout(uh));
      wire signed [AC_W+GW-1:0] ru;
      frnn_lane_mul #(.AW(GW), .BW(AC_W), .LS(LS)) u_mru (
          .clk(clk), .a(rs[GW-1:0]), .b(uh), .p(ru));
      wire [AC_W-1:0] ah2;
      frnn_delay #(.W(AC_W), .N(PL + S2)) u_ah2 (.clk(clk), .din(ah1), .dout(ah2));
      wire [AC_W-1:0] sc, s;
      frnn_cast #(.IW(AC_W + GW), .IF(GT_F + AC_F), .IS(1), .OW(AC_W), .OF(AC_F),
          .OS(1), .RND(AC_Q), .OVF(AC_O)) u_s (.din(ru), .dout(sc));
      frnn_delay #(.W(AC_W), .N(S2)) u_sq (.clk(clk), .din(sc), .dout(s));  // LS = 2
      wire signed [AC_W:0] phs = $signed(ah2) + $signed(s);
      wire [AC_W-1:0] ph, phq;
      frnn_cast #(.IW(AC_W + 1), .IF(AC_F), .IS(1), .OW(AC_W), .OF(AC_F), .OS(1),
          .RND(AC_Q), .OVF(AC_O)) u_ph1 (.din(phs), .dout(ph));
      frnn_delay #(.W(AC_W), .N(S1)) u_phq1 (.clk(clk), .din(ph), .dout(phq));
      frnn_table #(.IW(AC_W), .IF(AC_F), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_TANH), .EXP(0), .TW(TB_W),
          .OREG(S1), .IREG(S3), .MEMFILE(TANH_MEM)) u_th (.clk(clk), .din(phq), .dout(th));
      // z and h_old meet the tanh table's output (cycle 2; LS = 1: 7; LS = 2: 10)
      wire [ST_W-1:0] h2;
      wire [GT_W-1:0] z2;
      frnn_delay #(.W(ST_W), .N(1 + 2 * S1 + S3 + PL + S2)) u_h2 (.clk(clk), .din(h1), .dout(h2));
      frnn_delay #(.W(GT_W), .N(1 + 2 * S1 + S3 + PL + S2)) u_z2 (.clk(clk), .din(zg), .dout(z2));
      frnn_gru_update #(.ST_W(ST_W), .ST_F(ST_F), .ST_S(ST_S), .ST_Q(ST_Q), .ST_O(ST_O),
          .GT_W(GT_W), .GT_F(GT_F), .GT_S(GT_S), .GT_Q(GT_Q), .GT_O(GT_O), .TB_W(TB_W),
          .TB_F(TB_F), .LS(LS)) u_upd (.clk(clk), .t_hh(th), .z(z2), .h_old(h2), .h_new(h_new));
      assign z_new = z2;
    end else begin : g_rb
      frnn_table #(.IW(AC_W), .IF(AC_F), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_TANH), .EXP(0), .TW(TB_W),
          .OREG(S1), .IREG(S3), .MEMFILE(TANH_MEM)) u_th (.clk(clk), .din(ph0q), .dout(th));
      wire ph1;  // the phase of the output (cycle 1; LS = 1: 4; LS = 2: 7)
      frnn_delay #(.W(1), .N(1 + 2 * S1 + S3 + UL)) u_ph1 (.clk(clk), .din(phase), .dout(ph1));
      // phase 0, cycle 1: rh = cast(r * h -> state)
      wire signed [HW+GW-1:0] rh;
      frnn_lane_mul #(.AW(GW), .BW(HW), .LS(LS)) u_mrh (
          .clk(clk), .a(rs[GW-1:0]), .b(hs1[HW-1:0]), .p(rh));
      wire [ST_W-1:0] rh_cc, rh_c;
      frnn_cast #(.IW(HW + GW), .IF(GT_F + ST_F), .IS(1), .OW(ST_W), .OF(ST_F),
          .OS(ST_S), .RND(ST_Q), .OVF(ST_O)) u_rh (.din(rh), .dout(rh_cc));
      // LS = 2: in step with the update's registered sum
      frnn_delay #(.W(ST_W), .N(S2)) u_rhd (.clk(clk), .din(rh_cc), .dout(rh_c));
      // phase 1, cycle 1: update from the stored z
      wire [ST_W-1:0] h_upd;
      frnn_gru_update #(.ST_W(ST_W), .ST_F(ST_F), .ST_S(ST_S), .ST_Q(ST_Q), .ST_O(ST_O),
          .GT_W(GT_W), .GT_F(GT_F), .GT_S(GT_S), .GT_Q(GT_Q), .GT_O(GT_O), .TB_W(TB_W),
          .TB_F(TB_F), .LS(LS)) u_upd (.clk(clk), .t_hh(th), .z(z1), .h_old(h1), .h_new(h_upd));
      assign h_new = ph1 ? h_upd : rh_c;
      frnn_delay #(.W(GT_W), .N(UL)) u_zn (.clk(clk), .din(zg), .dout(z_new));
    end
  endgenerate
endmodule

`default_nettype wire
