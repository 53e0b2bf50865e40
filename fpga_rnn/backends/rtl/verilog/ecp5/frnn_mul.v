// frnn_mul for ECP5 (swapped in by fpga_rnn.synth for ECP5 parts): operands of up
// to 18 bits go through one MULT18X18D with its input registers (CE0 = ce_i) and
// output register (CE1 = ce_o), signed, sign-extended to 18 bits; wider ones use the
// portable frnn_mul_fabric (yosys splits those over several blocks). Same ports and
// cycles as ../frnn_mul.v, whose behaviour the simulations verify; this file is what
// nextpnr places (the MULT18X18D register modes of Lattice's ECP5 sysDSP guide).
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
  generate
    if (AW <= 18 && BW <= 18) begin : g_dsp
      wire signed [17:0] ax = a;  // sign-extended (both signed)
      wire signed [17:0] bx = b;
      wire [35:0] px;
      // register modes (REG_INPUTA/B_CLK = CLK0 with CE0, REG_OUTPUT_CLK = CLK0 with
      // CE1) are set by fpga_rnn.synth after synthesis on the cells marked here:
      // parameters on this black box make yosys re-elaborate the deferred design
      // from its source after flattening, which then fails
      (* frnn_dsp_regs *) MULT18X18D u_m (
          .A0(ax[0]), .A1(ax[1]), .A2(ax[2]), .A3(ax[3]), .A4(ax[4]), .A5(ax[5]), .A6(ax[6]), .A7(ax[7]), .A8(ax[8]), .A9(ax[9]), .A10(ax[10]), .A11(ax[11]), .A12(ax[12]), .A13(ax[13]), .A14(ax[14]), .A15(ax[15]), .A16(ax[16]), .A17(ax[17]),
          .B0(bx[0]), .B1(bx[1]), .B2(bx[2]), .B3(bx[3]), .B4(bx[4]), .B5(bx[5]), .B6(bx[6]), .B7(bx[7]), .B8(bx[8]), .B9(bx[9]), .B10(bx[10]), .B11(bx[11]), .B12(bx[12]), .B13(bx[13]), .B14(bx[14]), .B15(bx[15]), .B16(bx[16]), .B17(bx[17]),
          .C0(1'b0), .C1(1'b0), .C2(1'b0), .C3(1'b0), .C4(1'b0), .C5(1'b0), .C6(1'b0), .C7(1'b0), .C8(1'b0), .C9(1'b0), .C10(1'b0), .C11(1'b0), .C12(1'b0), .C13(1'b0), .C14(1'b0), .C15(1'b0), .C16(1'b0), .C17(1'b0),
          .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
          .CLK0(clk), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0),
          .CE0(ce_i), .CE1(ce_o), .CE2(1'b0), .CE3(1'b0),
          .RST0(1'b0), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0),
          .P0(px[0]), .P1(px[1]), .P2(px[2]), .P3(px[3]), .P4(px[4]), .P5(px[5]), .P6(px[6]), .P7(px[7]), .P8(px[8]), .P9(px[9]), .P10(px[10]), .P11(px[11]), .P12(px[12]), .P13(px[13]), .P14(px[14]), .P15(px[15]), .P16(px[16]), .P17(px[17]), .P18(px[18]), .P19(px[19]), .P20(px[20]), .P21(px[21]), .P22(px[22]), .P23(px[23]), .P24(px[24]), .P25(px[25]), .P26(px[26]), .P27(px[27]), .P28(px[28]), .P29(px[29]), .P30(px[30]), .P31(px[31]), .P32(px[32]), .P33(px[33]), .P34(px[34]), .P35(px[35])
      );
      assign p = px[AW+BW-1:0];
    end else begin : g_fabric
      frnn_mul_fabric #(
          .AW(AW), .BW(BW)
      ) u_f (
          .clk(clk), .ce_i(ce_i), .ce_o(ce_o), .a(a), .b(b), .p(p)
      );
    end
  endgenerate
endmodule

`default_nettype wire
