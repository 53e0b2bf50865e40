// The board design without its vendor parts: power-on and button reset, the serial
// link, the generated core (frnn_top) and status lights. A generated per-board top
// adds the PLL and the pin names; the simulated board runs this module as it is.
`default_nettype none

module frnn_board #(
    parameter integer IN_W = 8,
    parameter integer OUT_W = 8,
    parameter integer MAX_T = 16,
    parameter integer MAX_OUT = 16,
    parameter integer CLKS_PER_BIT = 16,
    parameter integer TIMEOUT = 100000,
    parameter integer RUN_LIMIT = 1000000,
    parameter integer INFO_LEN = 24,
    parameter [INFO_LEN*8-1:0] INFO = 0,
    parameter integer HEARTBEAT_BIT = 24  // status[3] toggles every 2**HEARTBEAT_BIT cycles
) (
    input  wire       clk,
    input  wire       reset,  // active high: a button, or the PLL not locked
    input  wire       uart_rx,
    output wire       uart_tx,
    output wire [3:0] status  // {heartbeat, line active, error, busy}
);
  // reset: held for 2**8 cycles after configuration (registers start at zero on
  // every family) and while `reset` is high, released synchronously. The initial
  // values are the registers' power-up values in the bitstream.
  /* verilator lint_off PROCASSINIT */
  reg [8:0] por = 9'd0;
  reg [1:0] btn = 2'b00;
  always @(posedge clk) begin
    btn <= {btn[0], reset};
    if (btn[1]) por <= 9'd0;
    else if (!por[8]) por <= por + 1'b1;
  end
  wire rst = !por[8];

  reg [HEARTBEAT_BIT:0] beat = 0;
  always @(posedge clk) beat <= beat + 1'b1;
  /* verilator lint_on PROCASSINIT */

  wire [IN_W-1:0] s_data;
  wire [OUT_W-1:0] m_data;
  wire s_valid, s_ready, s_last, m_valid, m_ready, m_last, core_rst, busy, error;
  frnn_link #(
      .IN_W(IN_W), .OUT_W(OUT_W), .MAX_T(MAX_T), .MAX_OUT(MAX_OUT),
      .CLKS_PER_BIT(CLKS_PER_BIT), .TIMEOUT(TIMEOUT), .RUN_LIMIT(RUN_LIMIT),
      .INFO_LEN(INFO_LEN), .INFO(INFO)
  ) link (
      .clk(clk), .rst(rst), .rx(uart_rx), .tx(uart_tx),
      .s_tdata(s_data), .s_tvalid(s_valid), .s_tready(s_ready), .s_tlast(s_last),
      .m_tdata(m_data), .m_tvalid(m_valid), .m_tlast(m_last), .m_tready(m_ready),
      .core_rst(core_rst), .busy(busy), .error(error)
  );
  frnn_top dut (
      .clk(clk), .rst(core_rst),
      .s_axis_tdata(s_data), .s_axis_tvalid(s_valid), .s_axis_tready(s_ready),
      .s_axis_tlast(s_last), .s_axis_tuser(1'b0),
      .m_axis_tdata(m_data), .m_axis_tvalid(m_valid), .m_axis_tready(m_ready),
      .m_axis_tlast(m_last)
  );
  assign status = {beat[HEARTBEAT_BIT], !uart_rx || !uart_tx, error, busy};
endmodule

`default_nettype wire
