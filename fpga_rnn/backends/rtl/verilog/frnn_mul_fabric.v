// Registered signed multiply in plain Verilog: p = a * b, with input registers
// (enable ce_i) and an output register (enable ce_o): the product of the operands
// taken at one ce_i appears at p after the next ce_o. frnn_mul's portable body, and
// what family versions of frnn_mul fall back to where their primitive does not fit.
`default_nettype none

module frnn_mul_fabric #(
    parameter integer AW = 18,
    parameter integer BW = 18
) (
    input  wire                      clk,
    input  wire                      ce_i,
    input  wire                      ce_o,
    input  wire signed [     AW-1:0] a,
    input  wire signed [     BW-1:0] b,
    output reg signed  [AW+BW-1:0] p
);
  reg signed [AW-1:0] a_q;
  reg signed [BW-1:0] b_q;
  always @(posedge clk) begin
    if (ce_i) begin
      a_q <= a;
      b_q <= b;
    end
    if (ce_o) p <= a_q * b_q;
  end
endmodule

`default_nettype wire
