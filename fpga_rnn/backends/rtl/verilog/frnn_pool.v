// Reduce a window of K steps (frnn_window's output, oldest first) element by element:
// OP 0 max, OP 1 exact sum (average pooling: the sum read with log2(K) more fraction
// bits, cast by a following frnn_act). One registered stage, a beat per cycle.
// Reset: synchronous, active high.
`default_nettype none

module frnn_pool #(
    parameter integer X = 2,
    parameter integer K = 2,
    parameter integer IW = 16,
    parameter integer IS = 1,
    parameter integer OP = 0,
    parameter integer OW = IW  // IW (max) or IW + log2(K) (sum)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [K*X*IW-1:0] in_data,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire              in_last,
    output reg  [  X*OW-1:0] out_data,
    output reg               out_valid,
    input  wire              out_ready,
    output reg               out_last
);
  assign in_ready = !rst && (!out_valid || out_ready);
  wire [X*OW-1:0] y;
  genvar e;
  integer k;
  generate
    for (e = 0; e < X; e = e + 1) begin : g_el
      reg signed [OW:0] r, v;  // one bit more: unsigned inputs stay non-negative
      always @* begin
        r = {(OW + 1) {1'b0}};
        for (k = 0; k < K; k = k + 1) begin
          v = (IS != 0) ? $signed({{(OW + 1 - IW) {in_data[(k*X+e)*IW+IW-1]}}, in_data[(k*X+e)*IW+:IW]})
                        : $signed({{(OW + 1 - IW) {1'b0}}, in_data[(k*X+e)*IW+:IW]});
          if (OP == 0) r = (k == 0 || v > r) ? v : r;
          else r = r + v;
        end
      end
      assign y[e*OW+:OW] = r[OW-1:0];
    end
  endgenerate
  always @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (in_valid && in_ready) begin
      out_data  <= y;
      out_last  <= in_last;
      out_valid <= 1'b1;
    end else if (out_valid && out_ready) out_valid <= 1'b0;
  end
endmodule

`default_nettype wire
