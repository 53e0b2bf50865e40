// Sliding window over a stream of steps (Conv1D and pooling front-ends; the
// geometry is fpga_rnn.ir.conv.Window's). Keeps the last SPAN = (K-1)*D+1 steps and
// emits the K taps, D steps apart and oldest first, every S steps once SPAN steps
// (PADL zero steps counted) are in. After tlast it shifts in PADR zero steps.
//
// A window goes out only when the next one is made or the sequence has ended, so
// the sequence's last window carries tlast whatever the stride. A sequence too
// short for one window produces no output (the host refuses such input).
// Reset: synchronous, active high.
`default_nettype none
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended
/* verilator lint_off WIDTHTRUNC */

module frnn_window #(
    parameter integer X = 2,  // elements per step
    parameter integer EW = 16,  // element width
    parameter integer K = 3,  // taps
    parameter integer D = 1,  // dilation
    parameter integer S = 1,  // strides
    parameter integer PADL = 0,  // zero steps before the sequence
    parameter integer PADR = 0  // zero steps after it
) (
    input  wire            clk,
    input  wire            rst,
    input  wire [X*EW-1:0] in_data,
    input  wire            in_valid,
    output wire            in_ready,
    input  wire            in_last,
    output reg  [K*X*EW-1:0] out_data,
    output reg             out_valid,
    input  wire            out_ready,
    output reg             out_last
);
  localparam integer XW = X * EW;
  localparam integer SPAN = (K - 1) * D + 1;
  localparam integer CW = $clog2(SPAN + 2);
  localparam integer PW = (S > 1) ? $clog2(S) : 1;
  localparam integer ZW = (PADR > 1) ? $clog2(PADR + 1) : 1;
  localparam [1:0] ST_IN = 2'd0, ST_FLUSH = 2'd1, ST_FIN = 2'd2;

  reg [1:0] state;
  reg [CW-1:0] fill;
  reg [PW-1:0] ph;
  reg [ZW-1:0] zc;
  reg pend_v;
  reg [K*XW-1:0] pend;

  wire can_push = !out_valid || out_ready;
  assign in_ready = !rst && state == ST_IN && can_push;
  wire step_in = in_valid && in_ready;
  wire step_z = state == ST_FLUSH && can_push;
  wire step = step_in || step_z;
  wire [XW-1:0] st = step_in ? in_data : {XW{1'b0}};

  // the window's steps, newest at the low end: the SPAN-1 steps before this one
  // are kept in hist
  wire [SPAN*XW-1:0] nhist;
  wire clear_hist;
  generate
    if (SPAN > 1) begin : g_hist
      reg [(SPAN-1)*XW-1:0] hist;
      assign nhist = {hist, st};
      always @(posedge clk)
        if (rst || clear_hist) hist <= {(SPAN - 1) * XW{1'b0}};
        else if (step) hist <= nhist[(SPAN-1)*XW-1:0];
    end else begin : g_one
      assign nhist = st;
    end
  endgenerate
  wire [K*XW-1:0] win;
  genvar k;
  generate
    for (k = 0; k < K; k = k + 1) begin : g_tap
      assign win[k*XW+:XW] = nhist[(K-1-k)*D*XW+:XW];
    end
  endgenerate

  wire first = fill == SPAN - 1;
  wire full = fill == SPAN;
  wire [PW-1:0] ph_inc = (ph == S - 1) ? {PW{1'b0}} : ph + 1'b1;
  wire made = first || (full && ph_inc == 0);
  assign clear_hist = state == ST_FIN && can_push;

  always @(posedge clk) begin
    if (rst) begin
      state <= ST_IN;
      fill <= PADL;
      ph <= {PW{1'b0}};
      zc <= {ZW{1'b0}};
      pend_v <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (step) begin
        if (first) begin
          fill <= SPAN;
          ph <= {PW{1'b0}};
        end else if (full) ph <= ph_inc;
        else fill <= fill + 1'b1;
        if (made) begin
          if (pend_v) begin
            out_data  <= pend;
            out_last  <= 1'b0;
            out_valid <= 1'b1;
          end
          pend   <= win;
          pend_v <= 1'b1;
        end
        if (step_in && in_last) begin
          state <= (PADR > 0) ? ST_FLUSH : ST_FIN;
          zc <= {ZW{1'b0}};
        end
        if (step_z) begin
          zc <= zc + 1'b1;
          if (zc == PADR - 1) state <= ST_FIN;
        end
      end
      if (state == ST_FIN && can_push) begin
        if (pend_v) begin
          out_data  <= pend;
          out_last  <= 1'b1;
          out_valid <= 1'b1;
        end
        pend_v <= 1'b0;
        fill <= PADL;
        ph <= {PW{1'b0}};
        state <= ST_IN;
      end
    end
  end
endmodule

`default_nettype wire
