// Registered signed multiply: p = a * b, input and output registers (frnn_mul_fabric
// describes the behaviour and the cycles). The portable version; ECP5 synthesis
// stages ecp5/frnn_mul.v instead (the same ports and cycles), which puts both
// registers inside a MULT18X18D: yosys does not pack fabric registers into ECP5 DSP
// blocks, and the fabric-to-DSP routing on both sides then dominates the clock.
`default_nettype none

module frnn_mul #(
    parameter integer AW = 18,
    parameter integer BW = 18
) (
    input  wire                      clk,
    input  wire                      ce_i,
    input  wire                      ce_o,
    input  wire signed [     AW-1:0] a,
    input  wire signed [     BW-1:0] b,
    output wire signed [AW+BW-1:0] p
);
  frnn_mul_fabric #(
      .AW(AW), .BW(BW)
  ) u_f (
      .clk(clk), .ce_i(ce_i), .ce_o(ce_o), .a(a), .b(b), .p(p)
  );
endmodule

`default_nettype wire
