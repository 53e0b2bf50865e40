// UART transmitter, 8N1: takes a byte when `ready`, shifts it out LSB first.
`default_nettype none

module frnn_uart_tx #(
    parameter integer CLKS_PER_BIT = 16
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] data,
    input  wire       valid,
    output wire       ready,
    output wire       tx
);
  localparam integer CW = $clog2(CLKS_PER_BIT + 1);
  localparam [31:0] FULL = CLKS_PER_BIT - 1;  // cycles per bit, less one
  reg [10:0] shift;  // idle slot, stop bit, data, start bit; shifted out from bit 0
  reg [3:0] left;  // bits still to send
  reg [CW-1:0] cnt;
  reg line;
  assign ready = (left == 0);
  assign tx = line;
  always @(posedge clk) begin
    if (rst) begin
      left <= 4'd0;
      line <= 1'b1;
    end else if (left == 0) begin
      if (valid) begin
        // the idle slot makes the stop bit last a full bit before the next start bit
        shift <= {2'b11, data, 1'b0};
        left  <= 4'd11;
        cnt   <= 0;
      end
    end else if (cnt != 0) begin
      cnt <= cnt - 1'b1;
    end else begin
      line  <= shift[0];
      shift <= {1'b1, shift[10:1]};
      left  <= left - 1'b1;
      cnt   <= FULL[CW-1:0];
    end
  end
endmodule

`default_nettype wire
