// First-word-fall-through FIFO of DEPTH words: a block-RAM-style memory read into a
// head register, so a written word is visible one cycle later and a full FIFO still
// accepts as its head leaves. Reset: synchronous, active high.
`default_nettype none
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended

module frnn_fifo #(
    parameter integer W = 8,
    parameter integer DEPTH = 32
) (
    input  wire         clk,
    input  wire         rst,
    input  wire [W-1:0] in_data,
    input  wire         in_valid,
    output wire         in_ready,
    output wire [W-1:0] out_data,
    output wire         out_valid,
    input  wire         out_ready
);
  localparam integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam integer CW = $clog2(DEPTH + 1);
  reg [W-1:0] mem[0:DEPTH-1];
  reg [AW-1:0] wp, rp;
  reg [CW-1:0] n;  // words in the memory (the head register not counted)
  reg [W-1:0] q;
  reg qv;
  wire push = in_valid && in_ready;
  wire pop = qv && out_ready;
  wire load = (n != 0) && (!qv || pop);  // the next word moves into the head register
  assign in_ready = !rst && (n != DEPTH);
  assign out_data = q;
  assign out_valid = qv;
  always @(posedge clk) begin
    if (push) mem[wp] <= in_data;
    if (load) q <= mem[rp];  // rp != wp here unless the memory is full (no push then)
    if (rst) begin
      wp <= 0;
      rp <= 0;
      n  <= 0;
      qv <= 1'b0;
    end else begin
      if (push) wp <= (wp == DEPTH - 1) ? {AW{1'b0}} : wp + 1'b1;
      if (load) rp <= (rp == DEPTH - 1) ? {AW{1'b0}} : rp + 1'b1;
      if (push && !load) n <= n + 1'b1;
      else if (load && !push) n <= n - 1'b1;
      if (load) qv <= 1'b1;
      else if (pop) qv <= 1'b0;
    end
  end
endmodule

`default_nettype wire
