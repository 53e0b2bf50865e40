// Sequence reverser: stores one sequence (up to MAXT beats, ended by in_last) and
// replays it last beat first; out_last marks the replayed first beat. Input is
// refused while replaying. Beats beyond MAXT are dropped: the host checks lengths.
// Reset: synchronous, active high.
`default_nettype none
/* verilator lint_off UNUSEDSIGNAL */  // rd keeps the count width; its top bit never addresses the buffer
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended

module frnn_seqrev #(
    parameter integer W = 8,
    parameter integer MAXT = 32
) (
    input  wire         clk,
    input  wire         rst,
    input  wire [W-1:0] in_data,
    input  wire         in_valid,
    output wire         in_ready,
    input  wire         in_last,
    output reg  [W-1:0] out_data,
    output reg          out_valid,
    input  wire         out_ready,
    output reg          out_last
);
  localparam integer PW = $clog2(MAXT + 1);
  localparam integer IX = (MAXT > 1) ? $clog2(MAXT) : 1;
  reg [W-1:0] buffer[0:MAXT-1];
  reg [PW-1:0] wp, rp;
  reg draining;
  wire [PW-1:0] rd = rp - 1'b1;
  wire [IX-1:0] wa = wp[IX-1:0];
  wire [IX-1:0] ra = rd[IX-1:0];
  assign in_ready = !rst && !draining;
  always @(posedge clk) begin
    if (rst) begin
      wp <= 0;
      draining <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      if (in_valid && in_ready) begin
        if (wp < MAXT) buffer[wa] <= in_data;
        if (in_last) begin
          draining <= 1'b1;
          rp <= (wp < MAXT) ? wp + 1'b1 : MAXT[PW-1:0];
          wp <= 0;
        end else if (wp < MAXT) wp <= wp + 1'b1;
      end
      if (draining && (!out_valid || out_ready)) begin
        out_data <= buffer[ra];
        out_last <= (rp == 1);
        out_valid <= 1'b1;
        rp <= rp - 1'b1;
        if (rp == 1) draining <= 1'b0;
      end else if (out_valid && out_ready) out_valid <= 1'b0;
    end
  end
endmodule

`default_nettype wire
