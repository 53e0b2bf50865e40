// Pin-light shell around frnn_top for place-and-route (synthesis harness, not a core).
//
// A generated top has hundreds of data pins; small packages have a few dozen. The
// shell feeds s_axis_tdata from a shift register loaded one bit per cycle and
// shifts m_axis_tdata out one bit per cycle, so the core's timing paths and logic
// are kept (nothing is constant, every output is observed) with 8 pins. It adds
// IN_W + OUT_W + 2 flip-flops, reported with the synthesis figures.
`default_nettype none

module frnn_shell #(
    parameter integer IN_W  = 8,
    parameter integer OUT_W = 8
) (
    input  wire clk,
    input  wire rst,
    input  wire din,
    input  wire in_valid,
    input  wire in_last,
    output wire in_ready,
    output wire dout,
    output wire out_valid
);
  reg [IN_W-1:0] sin;
  reg [OUT_W-1:0] sout;
  reg last_q, oval;
  wire [OUT_W-1:0] m_data;
  wire m_valid, m_last;
  always @(posedge clk) begin
    sin <= {sin[IN_W-2:0], din};
    last_q <= in_last;
    oval <= m_valid;
    if (m_valid) sout <= m_data ^ {{(OUT_W - 1) {1'b0}}, m_last};
    else sout <= sout >> 1;
  end
  frnn_top dut (
      .clk(clk), .rst(rst),
      .s_axis_tdata(sin), .s_axis_tvalid(in_valid), .s_axis_tready(in_ready),
      .s_axis_tlast(last_q), .s_axis_tuser(1'b0),
      .m_axis_tdata(m_data), .m_axis_tvalid(m_valid), .m_axis_tready(1'b1),
      .m_axis_tlast(m_last)
  );
  assign dout = sout[0];
  assign out_valid = oval;
endmodule

`default_nettype wire
