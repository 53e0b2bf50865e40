// Pipelined signed multiply of any width: p = a * b three cycles later (operands
// registered, partial products registered, their sum registered), for the cell
// lanes at lane_stages 2. Operands wider than 18 bits are split into 17-bit unsigned
// low parts and a signed top part of at most 18 bits, so every partial product is
// one frnn_mul (on ECP5 one MULT18X18D with both its registers) and only the
// registered sum of the shifted partial products is fabric logic: a product wider
// than one block no longer runs through two blocks and their adder in one cycle.
`default_nettype none

module frnn_mul_pipe #(
    parameter integer AW = 18,
    parameter integer BW = 18
) (
    input  wire                    clk,
    input  wire signed [   AW-1:0] a,
    input  wire signed [   BW-1:0] b,
    output reg signed  [AW+BW-1:0] p
);
  localparam integer PW = AW + BW;
  localparam integer NA = (AW <= 18) ? 1 : 1 + (AW - 2) / 17;  // parts of a
  localparam integer NB = (BW <= 18) ? 1 : 1 + (BW - 2) / 17;
  wire [NA*NB*PW-1:0] terms;
  genvar i, j;
  generate
    for (i = 0; i < NA; i = i + 1) begin : g_a
      localparam integer WA = (i == NA - 1) ? AW - 17 * i : 18;
      wire signed [WA-1:0] ai;
      if (i == NA - 1) begin : g_top
        assign ai = a[AW-1:17*i];
      end else begin : g_low
        assign ai = {1'b0, a[17*i+:17]};
      end
      for (j = 0; j < NB; j = j + 1) begin : g_b
        localparam integer WB = (j == NB - 1) ? BW - 17 * j : 18;
        wire signed [WB-1:0] bj;
        if (j == NB - 1) begin : g_top
          assign bj = b[BW-1:17*j];
        end else begin : g_low
          assign bj = {1'b0, b[17*j+:17]};
        end
        wire signed [WA+WB-1:0] pij;
        frnn_mul #(
            .AW(WA), .BW(WB)
        ) u_m (
            .clk(clk), .ce_i(1'b1), .ce_o(1'b1), .a(ai), .b(bj), .p(pij)
        );
        /* verilator lint_off WIDTHEXPAND */
        wire signed [PW-1:0] t = pij;  // sign-extended (intended), then placed
        /* verilator lint_on WIDTHEXPAND */
        assign terms[(i*NB+j)*PW+:PW] = t <<< (17 * (i + j));
      end
    end
  endgenerate
  reg signed [PW-1:0] s;
  integer k;
  always @(*) begin
    s = {PW{1'b0}};
    for (k = 0; k < NA * NB; k = k + 1) s = s + $signed(terms[k*PW+:PW]);
  end
  always @(posedge clk) p <= s;
endmodule

`default_nettype wire
