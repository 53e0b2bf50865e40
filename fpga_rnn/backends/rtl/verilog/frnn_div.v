// Sequential unsigned divider: q = floor(num / den), one quotient bit per cycle
// (NW cycles). den must be non-zero. Reset: synchronous, active high.
`default_nettype none

module frnn_div #(
    parameter integer NW = 32,
    parameter integer DW = 24
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          start,
    input  wire [NW-1:0] num,
    input  wire [DW-1:0] den,
    output reg           done,
    output reg  [NW-1:0] q
);
  reg [NW-1:0] n;
  reg [DW:0] rem;
  reg [DW-1:0] d;
  reg [$clog2(NW+1)-1:0] cnt;
  reg busy;
  wire [DW+1:0] trial = {rem, n[NW-1]};
  wire fits = trial >= {2'b00, d};
  always @(posedge clk) begin
    done <= 1'b0;
    if (rst) busy <= 1'b0;
    else if (start) begin
      n <= num;
      d <= den;
      rem <= 0;
      cnt <= NW[$clog2(NW+1)-1:0];
      busy <= 1'b1;
    end else if (busy) begin
      rem <= fits ? trial[DW:0] - {1'b0, d} : trial[DW:0];
      q <= {q[NW-2:0], fits};
      n <= {n[NW-2:0], 1'b0};
      cnt <= cnt - 1'b1;
      if (cnt == 1) begin
        busy <= 1'b0;
        done <= 1'b1;
      end
    end
  end
endmodule

`default_nettype wire
