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
  localparam integer KW = IW + 2 + SL + LOGN;

  reg [TW-1:0] rom[0:N-1];
  initial $readmemh(MEMFILE, rom);

  wire signed [KW-1:0] one = 1;
  wire signed [KW-1:0] x = (IS != 0) ? {{(KW - IW) {din[IW-1]}}, din} : {{(KW - IW) {1'b0}}, din};
  wire signed [KW-1:0] mag = x[KW-1] ? -x : x;
  wire signed [KW-1:0] k_mag = (mag >>> SR) <<< SL;
  wire signed [KW-1:0] k = x[KW-1] ? -k_mag : k_mag;  // trunc0(x / 2^s)
  wire signed [KW-1:0] e = ((-x) >>> SR) <<< SL;  // floor(-d / 2^s)
  wire signed [KW-1:0] nmax = (one <<< LOGN) - one;
  wire signed [KW-1:0] i_sym = k + (one <<< (LOGN - 1));
  reg [LOGN-1:0] idx;
  always @* begin
    if (EXP != 0) idx = (e > nmax) ? nmax[LOGN-1:0] : e[LOGN-1:0];
    else if (i_sym < 0) idx = {LOGN{1'b0}};
    else if (i_sym > nmax) idx = nmax[LOGN-1:0];
    else idx = i_sym[LOGN-1:0];
  end
  reg [TW-1:0] rd;
  always @(posedge clk) rd <= rom[idx];
  frnn_delay #(.W(TW), .N(OREG)) u_oreg (.clk(clk), .din(rd), .dout(dout));
endmodule

`default_nettype wire
