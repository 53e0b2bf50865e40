// Element-wise activation stage into the result format (fpga_rnn.golden.ops.activation).
// ACT: 0 linear, 1 relu, 2 sigmoid, 3 tanh (tables, one per element). Two cycles
// per beat; softmax is frnn_softmax. Reset: synchronous, active high.
`default_nettype none
`include "frnn_codes.vh"
/* verilator lint_off UNUSEDSIGNAL */  // only the table variants (sigmoid, tanh) read tin

module frnn_act #(
    parameter integer N = 4,
    parameter integer LW = 1,  // tlast sideband width: {clear, last} in streaming designs
    parameter integer ACT = 0,
    parameter integer IW = 24, parameter integer IF = 16, parameter integer IS = 1,
    parameter integer OW = 16, parameter integer OF = 10, parameter integer OS = 1,
    parameter integer OQ = 6, parameter integer OO = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16, parameter integer LOGN = 11,
    parameter MEMFILE = "table.mem"
) (
    input  wire            clk,
    input  wire            rst,
    input  wire [N*IW-1:0] in_data,
    input  wire            in_valid,
    output wire            in_ready,
    input  wire [  LW-1:0] in_last,
    output reg  [N*OW-1:0] out_data,
    output reg             out_valid,
    input  wire            out_ready,
    output reg  [  LW-1:0] out_last
);
  reg s1_valid;
  reg [LW-1:0] s1_last;
  reg [N*IW-1:0] s1_x;
  assign in_ready = !rst && !s1_valid;
  wire [N*OW-1:0] y;
  // tables read the accepted beat, then keep reading it while it waits
  wire [N*IW-1:0] tin = (in_valid && in_ready) ? in_data : s1_x;
  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_el
      wire [IW-1:0] x = s1_x[i*IW+:IW];
      if (ACT == `FRNN_ACT_SIGMOID || ACT == `FRNN_ACT_TANH) begin : g_tab
        wire [TB_W-1:0] t;
        frnn_table #(.IW(IW), .IF(IF), .IS(IS), .LOGN(LOGN), .LOGR(ACT == `FRNN_ACT_SIGMOID ? `FRNN_LOG2R_SIGMOID : `FRNN_LOG2R_TANH),
            .EXP(0), .TW(TB_W), .MEMFILE(MEMFILE)) u_t (
            .clk(clk), .din(tin[i*IW+:IW]), .dout(t));
        frnn_cast #(.IW(TB_W), .IF(TB_F), .IS(1), .OW(OW), .OF(OF), .OS(OS), .RND(OQ),
            .OVF(OO)) u_c (.din(t), .dout(y[i*OW+:OW]));
      end else begin : g_lin
        wire neg = (IS != 0) && x[IW-1];
        wire [IW-1:0] v = (ACT == `FRNN_ACT_RELU && neg) ? {IW{1'b0}} : x;
        frnn_cast #(.IW(IW), .IF(IF), .IS(IS), .OW(OW), .OF(OF), .OS(OS), .RND(OQ),
            .OVF(OO)) u_c (.din(v), .dout(y[i*OW+:OW]));
      end
    end
  endgenerate
  always @(posedge clk) begin
    if (rst) begin
      s1_valid  <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      if (in_valid && in_ready) begin
        s1_valid <= 1'b1;
        s1_x <= in_data;
        s1_last <= in_last;
      end else if (s1_valid && (!out_valid || out_ready)) begin
        s1_valid <= 1'b0;
      end
      if (s1_valid && (!out_valid || out_ready)) begin
        out_data  <= y;
        out_valid <= 1'b1;
        out_last  <= s1_last;
      end else if (out_valid && out_ready) out_valid <= 1'b0;
    end
  end
endmodule

`default_nettype wire
