// Activation look-up table ROM with the index rule of fpga_rnn.tables.
//
// sigmoid/tanh (EXP=0), table of 2^LOGN entries over [-2^LOGR, 2^LOGR):
//   s = LOGR + 1 + IF - LOGN;  k = trunc0(x / 2^s);  idx = clamp(k + N/2, 0, N-1)
// exp (EXP=1), input d <= 0 over (-2^LOGR, 0]:
//   s = LOGR + IF - LOGN;  idx = min(floor(-d / 2^s), N-1)
// Registered read (infers block RAM), plus an output register when OREG = 1 (the
// block RAM's own: a read then takes two cycles) and an index register when
// IREG = 1 (the index logic then ends at a register, not at the block RAM's address:
// one cycle more); entries come from MEMFILE (hex).
`default_nettype none

module frnn_table #(
    parameter integer IW = 16,
    parameter integer IF = 8,
    parameter integer IS = 1,
    parameter integer LOGN = 11,
    parameter integer LOGR = 3,
    parameter integer EXP = 0,
    parameter integer TW = 18,
    parameter integer OREG = 0,
    parameter integer IREG = 0,
    parameter MEMFILE = "table.mem"
) (
    input  wire          clk,
    input  wire [IW-1:0] din,
    output wire [TW-1:0] dout
);
  localparam integer N = 1 << LOGN;
  localparam integer S = (EXP != 0) ? LOGR + IF - LOGN : LOGR + 1 + IF - LOGN;
  localparam integer SR = (S > 0) ? S : 0;
  localparam integer SL = (S < 0) ? -S : 0;
  localparam integer IFP = (IF > 0) ? IF : 0;
  // wide enough for x, for N/2 * 2^s (2^(LOGR + IF)) and for x * 2^SL + N/2
  localparam integer KW = IW + SL + LOGN + LOGR + IFP + 4;

  reg [TW-1:0] rom[0:N-1];
  initial $readmemh(MEMFILE, rom);

  wire signed [KW-1:0] one = 1;
  wire signed [KW-1:0] x = (IS != 0) ? {{(KW - IW) {din[IW-1]}}, din} : {{(KW - IW) {1'b0}}, din};
  wire signed [KW-1:0] nmax = (one <<< LOGN) - one;
  // The clamps compare x with constants, beside a short adder for the in-range index:
  // an index in range depends only on the low NW bits of x (no wide add before them).
  localparam integer NW = SR + LOGN;
  /* verilator lint_off UNUSEDSIGNAL */  // bias and el: only their index bits are read
  // sigmoid/tanh: trunc0(x / 2^s) + N/2 = floor((xs + b) / 2^s), xs = x * 2^SL, with
  // b = N/2 * 2^s, plus 2^s - 1 for x < 0 (truncation towards zero); below range when
  // xs + b < 0, above when xs + b >= N * 2^s, i.e. xs >= b (x >= 0 there)
  wire signed [KW-1:0] half = (one <<< (LOGN - 1)) <<< SR;
  wire signed [KW-1:0] bias = x[KW-1] ? half + (one <<< SR) - one : half;
  wire signed [KW-1:0] xs = x <<< SL;
  wire [NW-1:0] ks = xs[NW-1:0] + bias[NW-1:0];
  wire sym_low = xs < -(half + (one <<< SR) - one);
  wire sym_high = xs >= half;
  // exp: floor(-d / 2^s) * 2^SL, clamped to N - 1 from d <= -(EB), EB the least
  // -d whose index passes N - 1
  wire [NW-1:0] nl = -x[NW-1:0];
  wire [NW-1:0] el = (nl >> SR) << SL;
  wire signed [KW-1:0] eb = (SR > 0) ? (one <<< LOGN) <<< SR : (nmax >>> SL) + one;
  wire exp_high = x <= -eb;
  /* verilator lint_on UNUSEDSIGNAL */
  reg [LOGN-1:0] idx;
  always @* begin
    if (EXP != 0) idx = exp_high ? nmax[LOGN-1:0] : el[LOGN-1:0];
    else if (sym_low) idx = {LOGN{1'b0}};
    else if (sym_high) idx = nmax[LOGN-1:0];
    else idx = ks[NW-1:SR];
  end
  wire [LOGN-1:0] idx_q;
  frnn_delay #(.W(LOGN), .N(IREG)) u_ireg (.clk(clk), .din(idx), .dout(idx_q));
  reg [TW-1:0] rd;
  always @(posedge clk) rd <= rom[idx_q];
  frnn_delay #(.W(TW), .N(OREG)) u_oreg (.clk(clk), .din(rd), .dout(dout));
endmodule

`default_nettype wire
