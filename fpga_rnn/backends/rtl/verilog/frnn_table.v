// Activation look-up table ROM with the index rule of fpga_rnn.tables.
//
// sigmoid/tanh (EXP=0), table of 2^LOGN entries over [-2^LOGR, 2^LOGR):
//   s = LOGR + 1 + IF - LOGN;  k = trunc0(x / 2^s);  idx = clamp(k + N/2, 0, N-1)
// exp (EXP=1), input d <= 0 over (-2^LOGR, 0]:
//   s = LOGR + IF - LOGN;  idx = min(floor(-d / 2^s), N-1)
// Registered read (infers block RAM), plus an output register when OREG = 1 (the
// block RAM's own: a read then takes two cycles); entries come from MEMFILE (hex).
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
  // sigmoid/tanh in one adder: trunc0(x / 2^s) + N/2 = floor((x + b + N/2 * 2^s) / 2^s)
  // with b = 2^s - 1 for x < 0 (truncation towards zero), else 0
  wire signed [KW-1:0] half = (one <<< (LOGN - 1)) <<< SR;
  wire signed [KW-1:0] bias = x[KW-1] ? half + (one <<< SR) - one : half;
  wire signed [KW-1:0] i_sym = (SR > 0) ? (x + bias) >>> SR : (x <<< SL) + (one <<< (LOGN - 1));
  wire signed [KW-1:0] e = ((-x) >>> SR) <<< SL;  // exp: floor(-d / 2^s)
  // clamps by bits, not comparators: negative, or any bit at or above LOGN set
  wire sym_low = i_sym[KW-1];
  wire sym_high = !sym_low && |i_sym[KW-2:LOGN];
  reg [LOGN-1:0] idx;
  always @* begin
    if (EXP != 0) idx = (e > nmax) ? nmax[LOGN-1:0] : e[LOGN-1:0];
    else if (sym_low) idx = {LOGN{1'b0}};
    else if (sym_high) idx = nmax[LOGN-1:0];
    else idx = i_sym[LOGN-1:0];
  end
  reg [TW-1:0] rd;
  always @(posedge clk) rd <= rom[idx];
  frnn_delay #(.W(TW), .N(OREG)) u_oreg (.clk(clk), .din(rd), .dout(dout));
endmodule

`default_nettype wire
