// A cell lane's product p = a * b (signed), LAT cycles later by the lane's pipeline
// depth LS: 0 combinational, 1 the product registered, 2 frnn_mul_pipe (operands,
// partial products and their sum registered, so no product wider than one DSP block
// sits in one cycle). The cells take LAT for the side data they keep in step.
`default_nettype none

module frnn_lane_mul #(
    parameter integer AW = 18,
    parameter integer BW = 18,
    parameter integer LS = 0
) (
    input  wire                    clk,
    input  wire signed [   AW-1:0] a,
    input  wire signed [   BW-1:0] b,
    output wire signed [AW+BW-1:0] p
);
  generate
    if (LS > 1) begin : g_pipe
      frnn_mul_pipe #(.AW(AW), .BW(BW)) u_m (.clk(clk), .a(a), .b(b), .p(p));
    end else begin : g_comb
      wire signed [AW+BW-1:0] pc = a * b;
      frnn_delay #(.W(AW + BW), .N(LS)) u_q (.clk(clk), .din(pc), .dout(p));
    end
  endgenerate
endmodule

`default_nettype wire
