// GRU state update: h = cast(hh*(1 - z) + h_old*z -> state), exact products, one
// rounding; hh = cast(t_hh -> gate) from the tanh table.
`default_nettype none

module frnn_gru_update #(
    parameter integer ST_W = 16, parameter integer ST_F = 14, parameter integer ST_S = 1,
    parameter integer ST_Q = 6, parameter integer ST_O = 1,
    parameter integer GT_W = 18, parameter integer GT_F = 16, parameter integer GT_S = 1,
    parameter integer GT_Q = 6, parameter integer GT_O = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16,
    parameter integer LS = 0  // 1: the two products registered before their sum
) (
    input  wire            clk,
    input  wire [TB_W-1:0] t_hh,
    input  wire [GT_W-1:0] z,
    input  wire [ST_W-1:0] h_old,
    output wire [ST_W-1:0] h_new
);
  localparam integer UF = (2 * GT_F > ST_F + GT_F) ? 2 * GT_F : ST_F + GT_F;
  // wide enough for both exact products after alignment, plus the sum
  localparam integer UW = 2 * GT_W + ST_W + 8 + (UF - 2 * GT_F) + (UF - ST_F - GT_F);
  wire [GT_W-1:0] hh;
  frnn_cast #(.IW(TB_W), .IF(TB_F), .IS(1), .OW(GT_W), .OF(GT_F), .OS(GT_S), .RND(GT_Q),
      .OVF(GT_O)) u_hh (.din(t_hh), .dout(hh));
  wire signed [UW-1:0] one = 1;
  wire signed [UW-1:0] hhs = (GT_S != 0) ? {{(UW - GT_W) {hh[GT_W-1]}}, hh} : {{(UW - GT_W) {1'b0}}, hh};
  wire signed [UW-1:0] zs = (GT_S != 0) ? {{(UW - GT_W) {z[GT_W-1]}}, z} : {{(UW - GT_W) {1'b0}}, z};
  wire signed [UW-1:0] hs = (ST_S != 0) ? {{(UW - ST_W) {h_old[ST_W-1]}}, h_old} :
      {{(UW - ST_W) {1'b0}}, h_old};
  wire signed [UW-1:0] omz = (one <<< GT_F) - zs;
  wire signed [UW-1:0] p_hh_c = (hhs * omz) <<< (UF - 2 * GT_F);
  wire signed [UW-1:0] p_hz_c = (hs * zs) <<< (UF - ST_F - GT_F);
  wire signed [UW-1:0] p_hh, p_hz;
  frnn_delay #(.W(UW), .N(LS)) u_phh (.clk(clk), .din(p_hh_c), .dout(p_hh));
  frnn_delay #(.W(UW), .N(LS)) u_phz (.clk(clk), .din(p_hz_c), .dout(p_hz));
  wire signed [UW-1:0] v = p_hh + p_hz;
  frnn_cast #(.IW(UW), .IF(UF), .IS(1), .OW(ST_W), .OF(ST_F), .OS(ST_S), .RND(ST_Q),
      .OVF(ST_O)) u_h (.din(v), .dout(h_new));
endmodule

`default_nettype wire
