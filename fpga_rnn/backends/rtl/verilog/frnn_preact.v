// Pre-activation of a recurrent gate: p = cast(a + cast(u -> accum) -> accum).
// a is W*x + b already in the accumulator format; u is the U*h row sum in AW bits
// with the accumulator's fractional bits (so only its overflow mode applies).
`default_nettype none

module frnn_preact #(
    parameter integer AW = 32,
    parameter integer AC_W = 24,
    parameter integer AC_F = 16,
    parameter integer AC_Q = 0,
    parameter integer AC_O = 0
) (
    input  wire [AC_W-1:0] a,
    input  wire [  AW-1:0] u,
    output wire [AC_W-1:0] p
);
  wire [AC_W-1:0] uc;
  frnn_cast #(
      .IW(AW), .IF(AC_F), .IS(1), .OW(AC_W), .OF(AC_F), .OS(1), .RND(AC_Q), .OVF(AC_O)
  ) u_u (.din(u), .dout(uc));
  wire signed [AC_W:0] s = $signed(a) + $signed(uc);
  frnn_cast #(
      .IW(AC_W + 1), .IF(AC_F), .IS(1), .OW(AC_W), .OF(AC_F), .OS(1), .RND(AC_Q), .OVF(AC_O)
  ) u_p (.din(s), .dout(p));
endmodule

`default_nettype wire
