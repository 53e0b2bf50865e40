// Softmax over a vector (fpga_rnn.golden.ops.activation, "softmax"):
//   d_i = x_i - max(x);  e_i = EXP[idx(d_i)];  y_i = cast(floor(e_i * 2^FQ / sum(e)) -> out)
// with FQ = max(OF, 0). Sequential, for the clock: the max one element per two cycles
// (compare, then take),
// then one exp look-up per cycle (d_i registered before the table, the table's output
// registered: the block RAM's clock-to-out no longer feeds the sum), then one frnn_div
// per element (all in parallel); meant for the classifier head.
// Reset: synchronous, active high.
`default_nettype none
`include "frnn_codes.vh"
/* verilator lint_off UNUSEDSIGNAL */  // all dividers start together and finish together
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended

module frnn_softmax #(
    parameter integer N = 4,
    parameter integer LW = 1,  // tlast sideband width: {clear, last} in streaming designs
    parameter integer IW = 24, parameter integer IF = 16, parameter integer IS = 1,
    parameter integer OW = 16, parameter integer OF = 10, parameter integer OS = 1,
    parameter integer OQ = 6, parameter integer OO = 1,
    parameter integer TB_W = 18, parameter integer LOGN = 11,
    parameter MEMFILE = "exp.mem"
) (
    input  wire            clk,
    input  wire            rst,
    input  wire [N*IW-1:0] in_data,
    input  wire            in_valid,
    output wire            in_ready,
    input  wire [  LW-1:0] in_last,
    output reg  [N*OW-1:0] out_data,
    output reg             out_valid,
    input  wire            out_ready,
    output reg  [  LW-1:0] out_last
);
  localparam integer FQ = (OF > 0) ? OF : 0;
  localparam integer SW = TB_W + $clog2(N + 1);
  localparam integer NW = SW + FQ;
  localparam integer IBW = $clog2(N + 1);
  localparam [2:0] S_IDLE = 0, S_EXP = 1, S_DIV = 2, S_WAIT = 3, S_OUT = 4, S_MAX = 5;

  reg [2:0] state;
  reg [N*IW-1:0] x;
  reg [LW-1:0] last_r;
  reg signed [IW:0] mx;
  reg [IBW-1:0] i;
  reg cmp_done;  // S_MAX: element i compared (gt registered); take it next cycle
  reg gt;
  reg [N*TB_W-1:0] e;
  reg [SW-1:0] total;
  assign in_ready = !rst && state == S_IDLE;

  // element i is always x's lowest: x rotates by one element per cycle while the
  // max and the look-ups walk it (N rotations restore it), so no N-way mux heads
  // the max's compare or the subtraction before the table
  wire [IW-1:0] xi = x[IW-1:0];
  wire [N*IW-1:0] x_rot = (N > 1) ? {x[IW-1:0], x[N*IW-1:IW]} : x;
  wire signed [IW+1:0] xs = (IS != 0) ? $signed({xi[IW-1], xi[IW-1], xi}) : $signed({2'b00, xi});
  wire signed [IW:0] xm = xs[IW:0];  // element i in the max's width
  reg signed [IW+1:0] d;  // x_i - max, registered before the table
  always @(posedge clk) d <= xs - mx;
  wire [TB_W-1:0] t;
  frnn_table #(.IW(IW + 2), .IF(IF), .IS(1), .LOGN(LOGN), .LOGR(`FRNN_LOG2R_EXP), .EXP(1), .TW(TB_W),
      .OREG(1), .MEMFILE(MEMFILE)) u_exp (.clk(clk), .din(d), .dout(t));

  // one divider per element, all started together
  wire [N-1:0] div_done;
  wire [N*OW-1:0] y;
  reg div_start;
  genvar g;
  generate
    for (g = 0; g < N; g = g + 1) begin : g_div
      wire [NW-1:0] q;
      frnn_div #(.NW(NW), .DW(SW)) u_div (
          .clk(clk), .rst(rst), .start(div_start),
          .num({{(NW - TB_W) {1'b0}}, e[g*TB_W+:TB_W]} << FQ), .den(total),
          .done(div_done[g]), .q(q));
      frnn_cast #(.IW(NW + 1), .IF(FQ), .IS(1), .OW(OW), .OF(OF), .OS(OS), .RND(OQ),
          .OVF(OO)) u_y (.din({1'b0, q}), .dout(y[g*OW+:OW]));
    end
  endgenerate

  reg look;  // a look-up issued this cycle (d registered now, the value three cycles later)
  reg [IBW-1:0] look_i;
  wire exp_valid;
  wire [IBW-1:0] exp_i;
  frnn_delay #(.W(IBW + 1), .N(2)) u_lk (.clk(clk), .din({look, look_i}), .dout({exp_valid, exp_i}));
  reg [N*OW-1:0] ybuf;  // results collect here; out_data only changes when free
  integer ei;
  always @(posedge clk) begin
    div_start <= 1'b0;
    look <= 1'b0;
    if (rst) begin
      state <= S_IDLE;
      out_valid <= 1'b0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      case (state)
        S_IDLE:
        if (in_valid) begin
          x <= in_data;
          last_r <= in_last;
          i <= 0;
          total <= 0;
          cmp_done <= 1'b0;
          state <= S_MAX;
        end
        S_MAX: begin  // the max, one element per two cycles: compare, then take
          // (the compare's carry chain and the max's 25-bit mux in one cycle were
          // a clock's critical path)
          cmp_done <= !cmp_done;
          if (!cmp_done) gt <= i == 0 || xm > mx;
          else begin
            if (gt) mx <= xm;
            x <= x_rot;
            if (i == N - 1) begin
              i <= 0;
              state <= S_EXP;
            end else i <= i + 1'b1;
          end
        end
        S_EXP: begin  // d_i is registered now; e_i arrives three cycles later
          look <= 1'b1;
          x <= x_rot;
          look_i <= i;
          if (i == N - 1) begin
            i <= 0;
            state <= S_WAIT;
          end else i <= i + 1'b1;
        end
        S_WAIT:  // the last look-up lands, then all divide
        if (exp_valid && exp_i == N - 1) begin
          state <= S_DIV;
          div_start <= 1'b1;
        end
        S_DIV:
        if (div_done[0]) begin
          ybuf  <= y;
          state <= S_OUT;
        end
        default:  // S_OUT
        if (!out_valid || out_ready) begin
          out_data <= ybuf;
          out_valid <= 1'b1;
          out_last <= last_r;
          state <= S_IDLE;
        end
      endcase
      if (exp_valid) begin
        for (ei = 0; ei < N; ei = ei + 1) if (exp_i == ei) e[ei*TB_W+:TB_W] <= t;  // no shifter
        total <= total + t;
      end
    end
  end
endmodule

`default_nettype wire
