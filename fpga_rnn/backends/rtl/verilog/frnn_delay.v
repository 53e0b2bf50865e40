// N-cycle delay line (N = 0: a wire): keeps a lane's side data (c_old, a gate)
// in step with its pipeline stages.
`default_nettype none

module frnn_delay #(
    parameter integer W = 1,
    parameter integer N = 1
) (
    input  wire         clk,
    input  wire [W-1:0] din,
    output wire [W-1:0] dout
);
  generate
    if (N == 0) begin : g_wire
      wire unused_clk = clk;  // a wire needs no clock
      assign dout = din;
    end else begin : g_reg
      reg [W-1:0] q[0:N-1];
      integer i;
      always @(posedge clk) begin
        q[0] <= din;
        for (i = 1; i < N; i = i + 1) q[i] <= q[i-1];
      end
      assign dout = q[N-1];
    end
  endgenerate
endmodule

`default_nettype wire
