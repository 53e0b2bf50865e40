// Embedding look-up: one token id per beat -> its row of the table (ROM from MEMFILE,
// one row of E codes per word). Registered read, one beat per cycle with backpressure.
// Token ids >= V read an unspecified row: the host checks ids (fpga_rnn.rtl.verify).
// Reset: synchronous, active high.
`default_nettype none

module frnn_embedding #(
    parameter integer V = 16,
    parameter integer E = 4,
    parameter integer EW = 8,
    parameter integer TW = 4,
    parameter integer LW = 1,  // tlast sideband width: {clear, last} in streaming designs
    parameter MEMFILE = "embedding.mem"
) (
    input  wire            clk,
    input  wire            rst,
    input  wire [  TW-1:0] in_data,
    input  wire            in_valid,
    output wire            in_ready,
    input  wire [  LW-1:0] in_last,
    output reg  [E*EW-1:0] out_data,
    output reg             out_valid,
    input  wire            out_ready,
    output reg  [  LW-1:0] out_last
);
  reg [E*EW-1:0] rom[0:V-1];
  initial $readmemh(MEMFILE, rom);
  assign in_ready = !rst && (!out_valid || out_ready);
  always @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (in_valid && in_ready) begin
      out_data  <= rom[in_data];
      out_last  <= in_last;
      out_valid <= 1'b1;
    end else if (out_ready) out_valid <= 1'b0;
  end
endmodule

`default_nettype wire
