// GRU state update: h = cast(hh*(1 - z) + h_old*z -> state), exact products, one
// rounding; hh = cast(t_hh -> gate) from the tanh table.
`default_nettype none
/* verilator lint_off UNUSEDSIGNAL */  // hhx, zx, hx: a signed format's extension bit

module frnn_gru_update #(
    parameter integer ST_W = 16, parameter integer ST_F = 14, parameter integer ST_S = 1,
    parameter integer ST_Q = 6, parameter integer ST_O = 1,
    parameter integer GT_W = 18, parameter integer GT_F = 16, parameter integer GT_S = 1,
    parameter integer GT_Q = 6, parameter integer GT_O = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16,
    parameter integer LS = 0  // 1: the products registered; 2: pipelined, the sum registered
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
  localparam integer S2 = (LS > 1) ? 1 : 0;
  // exact operand widths (so an 18-bit signed gate is one DSP block's operand): hh and
  // z as gates, h as the state, 1 - z wide enough for any z the gate format holds
  localparam integer GW = GT_W + ((GT_S != 0) ? 0 : 1);
  localparam integer HW = ST_W + ((ST_S != 0) ? 0 : 1);
  localparam integer OW = ((GT_F > GT_W) ? GT_F : GT_W) + 2;
  // one bit wider, then the exact width (the extension bit of a signed format unused)
  wire [GT_W:0] hhx = (GT_S != 0) ? {hh[GT_W-1], hh} : {1'b0, hh};
  wire [GT_W:0] zx = (GT_S != 0) ? {z[GT_W-1], z} : {1'b0, z};
  wire [ST_W:0] hx = (ST_S != 0) ? {h_old[ST_W-1], h_old} : {1'b0, h_old};
  wire signed [GW-1:0] hhs = hhx[GW-1:0];
  wire signed [GW-1:0] zs = zx[GW-1:0];
  wire signed [HW-1:0] hs = hx[HW-1:0];
  wire signed [OW-1:0] one = 1;
  wire signed [OW-1:0] omz = (one <<< GT_F) - {{(OW - GW) {zs[GW-1]}}, zs};
  wire signed [GW+OW-1:0] m_hh;
  wire signed [HW+GW-1:0] m_hz;
  frnn_lane_mul #(.AW(GW), .BW(OW), .LS(LS)) u_mhh (.clk(clk), .a(hhs), .b(omz), .p(m_hh));
  frnn_lane_mul #(.AW(HW), .BW(GW), .LS(LS)) u_mhz (.clk(clk), .a(hs), .b(zs), .p(m_hz));
  wire signed [UW-1:0] p_hh = {{(UW - GW - OW) {m_hh[GW+OW-1]}}, m_hh} <<< (UF - 2 * GT_F);
  wire signed [UW-1:0] p_hz = {{(UW - HW - GW) {m_hz[HW+GW-1]}}, m_hz} <<< (UF - ST_F - GT_F);
  wire signed [UW-1:0] vc = p_hh + p_hz;
  wire signed [UW-1:0] v;  // LS = 2: the sum registered before its cast
  frnn_delay #(.W(UW), .N(S2)) u_v (.clk(clk), .din(vc), .dout(v));
  frnn_cast #(.IW(UW), .IF(UF), .IS(1), .OW(ST_W), .OF(ST_F), .OS(ST_S), .RND(ST_Q),
      .OVF(ST_O)) u_h (.din(v), .dout(h_new));
endmodule

`default_nettype wire
