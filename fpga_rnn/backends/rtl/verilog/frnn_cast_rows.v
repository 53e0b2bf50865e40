// N accumulator rows (IW bits, F fractional bits, signed) cast into the
// accumulator format: the MAC engines' exact sums leaving for the datapath.
// Combinational.
`default_nettype none

module frnn_cast_rows #(
    parameter integer N = 2,
    parameter integer IW = 24,
    parameter integer AC_W = 16, parameter integer AC_F = 8, parameter integer AC_Q = 0,
    parameter integer AC_O = 0
) (
    input  wire [  N*IW-1:0] din,
    output wire [N*AC_W-1:0] dout
);
  genvar r;
  generate
    for (r = 0; r < N; r = r + 1) begin : g_cast
      frnn_cast #(
          .IW(IW), .IF(AC_F), .IS(1), .OW(AC_W), .OF(AC_F), .OS(1), .RND(AC_Q), .OVF(AC_O)
      ) u_c (.din(din[r*IW+:IW]), .dout(dout[r*AC_W+:AC_W]));
    end
  endgenerate
endmodule

`default_nettype wire
