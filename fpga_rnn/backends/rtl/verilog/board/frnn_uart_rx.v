// UART receiver, 8N1, one byte strobe per frame (the board link's serial input).
//
// The line is synchronized by two flip-flops; a start bit must still be low at its
// middle, each data bit is sampled at its middle, and a byte whose stop bit is low
// (a framing error: noise, or a baud-rate mismatch) is dropped, not delivered.
`default_nettype none

module frnn_uart_rx #(
    parameter integer CLKS_PER_BIT = 16  // clock cycles per bit, >= 4
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx,
    output reg  [7:0] data,
    output reg        valid  // one cycle per received byte
);
  localparam integer CW = $clog2(CLKS_PER_BIT + 1);
  localparam [31:0] FULL = CLKS_PER_BIT - 1;  // cycles per bit, less one
  localparam [31:0] HALF = CLKS_PER_BIT / 2 - 1;
  reg [1:0] sync;
  reg [CW-1:0] cnt;
  reg [3:0] bitn;  // 0: start bit, 1..8: data bits, 9: stop bit
  reg busy;
  reg [7:0] shift;
  wire line = sync[1];
  always @(posedge clk) begin
    sync  <= {sync[0], rx};
    valid <= 1'b0;
    if (rst) begin
      sync <= 2'b11;
      busy <= 1'b0;
    end else if (!busy) begin
      if (!line) begin  // a falling edge: wait half a bit, then check the start bit
        busy <= 1'b1;
        bitn <= 4'd0;
        cnt  <= HALF[CW-1:0];
      end
    end else if (cnt != 0) begin
      cnt <= cnt - 1'b1;
    end else begin
      cnt <= FULL[CW-1:0];
      if (bitn == 4'd0) begin
        if (line) busy <= 1'b0;  // a glitch, not a start bit
      end else if (bitn == 4'd9) begin
        busy  <= 1'b0;
        valid <= line;  // a low stop bit is a framing error: drop the byte
        data  <= shift;
      end else begin
        shift <= {line, shift[7:1]};
      end
      bitn <= bitn + 1'b1;
    end
  end
endmodule

`default_nettype wire
