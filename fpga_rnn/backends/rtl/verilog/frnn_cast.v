// Fixed-point cast with ap_fixed assignment semantics (fpga_rnn.fixed.FixedFormat.cast).
//
// Input: IW-bit code with IF fractional bits (two's complement if IS, else unsigned).
// Output: OW-bit code with OF fractional bits, rounded with RND and overflowed with OVF
// (the codes of fpga_rnn.ir.kinds, passed in by the generator):
//   RND: 0 TRN, 1 TRN_ZERO, 2 RND, 3 RND_ZERO, 4 RND_MIN_INF, 5 RND_INF, 6 RND_CONV
//   OVF: 0 WRAP, 1 SAT, 2 SAT_ZERO, 3 SAT_SYM
// Purely combinational; constant shifts, so it costs adders and comparators only.
`default_nettype none
`include "frnn_codes.vh"

module frnn_cast #(
    parameter integer IW  = 16,
    parameter integer IF  = 8,
    parameter integer IS  = 1,
    parameter integer OW  = 8,
    parameter integer OF  = 4,
    parameter integer OS  = 1,
    parameter integer RND = 0,
    parameter integer OVF = 0
) (
    input  wire [IW-1:0] din,
    output reg  [OW-1:0] dout
);
  localparam integer DN = (IF > OF) ? IF - OF : 0;  // bits dropped (rounding)
  localparam integer UP = (OF > IF) ? OF - IF : 0;  // zero bits appended
  localparam integer HS = (DN > 0) ? DN - 1 : 0;
  // wide enough for the input, the shifts, and the output's range
  localparam integer WA = IW + 1 + UP + DN;
  localparam integer WW = ((WA > OW) ? WA : OW) + 2;

  wire signed [WW-1:0] one = 1;
  wire signed [WW-1:0] x = (IS != 0) ? {{(WW - IW) {din[IW-1]}}, din} : {{(WW - IW) {1'b0}}, din};
  wire signed [WW-1:0] fl = x >>> DN;  // floor(x / 2^DN)
  wire signed [WW-1:0] rem = x - (fl <<< DN);  // discarded part, 0 <= rem < 2^DN
  wire signed [WW-1:0] half = (DN > 0) ? (one <<< HS) : 0;
  wire tie = (DN > 0) && (rem == half);
  wire above = (DN > 0) && (rem > half);
  wire nz = (DN > 0) && (rem != 0);
  wire neg = x[WW-1];
  reg up;
  always @* begin
    case (RND)
      `FRNN_RND_TRN_ZERO: up = neg & nz;
      `FRNN_RND_RND: up = above | tie;
      `FRNN_RND_RND_ZERO: up = above | (tie & neg);
      `FRNN_RND_RND_MIN_INF: up = above;
      `FRNN_RND_RND_INF: up = above | (tie & ~neg);
      `FRNN_RND_RND_CONV: up = above | (tie & fl[0]);
      default: up = 1'b0;  // `FRNN_RND_TRN
    endcase
  end
  /* verilator lint_off UNUSEDSIGNAL */  // only v's low OW bits reach dout
  wire signed [WW-1:0] v = (fl + (up ? one : 0)) <<< UP;
  /* verilator lint_on UNUSEDSIGNAL */

  wire signed [WW-1:0] hi = (OS != 0) ? (one <<< (OW - 1)) - one : (one <<< OW) - one;
  wire signed [WW-1:0] lo = (OS != 0) ? -(one <<< (OW - 1)) : 0;
  wire signed [WW-1:0] slo = (OS != 0 && OVF == `FRNN_OVF_SAT_SYM) ? -hi : lo;
  // The range checks compare the floor, not the rounded value, so that they run beside
  // the rounding increment instead of after it. With v = (fl + up) * 2^UP, up in {0, 1}:
  //   v > b  <=>  fl > f or (fl == f and up),       f = floor(b / 2^UP)
  //   v < b  <=>  fl < c - 1 or (fl == c - 1 and !up),  c = ceil(b / 2^UP)
  // (the bounds are constants, so each check is one comparator of fl).
  wire signed [WW-1:0] hi_f = hi >>> UP;
  wire signed [WW-1:0] slo_c1 = -((-slo) >>> UP) - one;
  wire signed [WW-1:0] lo_c1 = -((-lo) >>> UP) - one;
  wire over = (fl > hi_f) || (fl == hi_f && up);
  wire under = (fl < slo_c1) || (fl == slo_c1 && !up);
  wire under_lo = (fl < lo_c1) || (fl == lo_c1 && !up);
  always @* begin
    if (OVF == `FRNN_OVF_WRAP) dout = v[OW-1:0];
    else if (over) dout = (OVF == `FRNN_OVF_SAT_ZERO) ? {OW{1'b0}} : hi[OW-1:0];
    else if (under) dout = (OVF == `FRNN_OVF_SAT_ZERO && under_lo) ? {OW{1'b0}} : slo[OW-1:0];
    else dout = v[OW-1:0];
  end
endmodule

`default_nettype wire
