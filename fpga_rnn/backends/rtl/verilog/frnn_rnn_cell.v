// SimpleRNN cell lane (fpga_rnn.golden.recurrent.simple_rnn_step).
// cycle 0: p = cast(a + cast(u -> accum) -> accum); tanh table read (ACT 3) or p kept
// cycle 1: h = cast(tanh(p) | max(p, 0) | p -> state)     (combinational output)
// ACT: the activation codes of fpga_rnn.ir.kinds (3 tanh, 1 relu, 0 linear).
`default_nettype none
`include "frnn_codes.vh"

module frnn_rnn_cell #(
    parameter integer ACT = `FRNN_ACT_TANH,
    parameter integer AW = 32,
    parameter integer AC_W = 24, parameter integer AC_F = 16, parameter integer AC_Q = 0,
    parameter integer AC_O = 0,
    parameter integer ST_W = 16, parameter integer ST_F = 14, parameter integer ST_S = 1,
    parameter integer ST_Q = 6, parameter integer ST_O = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16, parameter integer LOGN = 11,
    parameter integer LS = 0,  // >= 1: p registered and the table's output register (3 cycles); 3: its index too
    parameter TANH_MEM = "tanh.mem"
) (
    input  wire            clk,
    input  wire [AC_W-1:0] a,
    input  wire [  AW-1:0] u,
    output wire [ST_W-1:0] h_new
);
  localparam integer S1 = (LS > 0) ? 1 : 0;  // no products: LS = 2 is LS = 1
  localparam integer S3 = (LS > 2) ? 1 : 0;  // the table's index registered
  wire [AC_W-1:0] p;
  frnn_preact #(.AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)) u_p (
      .a(a), .u(u), .p(p));
  wire [AC_W-1:0] pq;
  frnn_delay #(.W(AC_W), .N(S1)) u_pq (.clk(clk), .din(p), .dout(pq));
  generate
    if (ACT == `FRNN_ACT_TANH) begin : g_tanh
      wire [TB_W-1:0] t;
      frnn_table #(.IW(AC_W), .IF(AC_F), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_TANH), .EXP(0), .TW(TB_W),
          .OREG(S1), .IREG(S3), .MEMFILE(TANH_MEM)) u_t (.clk(clk), .din(pq), .dout(t));
      frnn_cast #(.IW(TB_W), .IF(TB_F), .IS(1), .OW(ST_W), .OF(ST_F), .OS(ST_S), .RND(ST_Q),
          .OVF(ST_O)) u_h (.din(t), .dout(h_new));
    end else begin : g_lin
      reg [AC_W-1:0] p1r;
      wire [AC_W-1:0] p1;  // as long as the table path
      always @(posedge clk) p1r <= (ACT == `FRNN_ACT_RELU && pq[AC_W-1]) ? {AC_W{1'b0}} : pq;
      frnn_delay #(.W(AC_W), .N(S1 + S3)) u_p1 (.clk(clk), .din(p1r), .dout(p1));
      frnn_cast #(.IW(AC_W), .IF(AC_F), .IS(1), .OW(ST_W), .OF(ST_F), .OS(ST_S), .RND(ST_Q),
          .OVF(ST_O)) u_h (.din(p1), .dout(h_new));
    end
  endgenerate
endmodule

`default_nettype wire
