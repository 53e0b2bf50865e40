// Dense (W*x + b) over a stream of vectors, one output beat per input beat.
//
// Output rows are in the accumulator format (AC_*); the activation is a separate
// stage (frnn_act). The same core computes the input half (W*x + b) of recurrent
// layers, running one timestep ahead of the recurrence. A new input is accepted
// while the previous result waits in the output register (one-beat skid).
// Reset: synchronous, active high.
`default_nettype none
/* verilator lint_off UNUSEDSIGNAL */  // passes are tracked by blk_done; busy and done_sec are informational
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended

module frnn_dense #(
    parameter integer K = 4,
    parameter integer VW = 8,
    parameter integer VS = 1,
    parameter integer N = 4,
    parameter integer PR = 1,
    parameter integer PK = 1,
    parameter integer NB = 4,
    parameter integer KB = 4,
    parameter integer WW = 8,
    parameter integer AW = 32,
    parameter integer SH = 0,
    parameter integer HAS_BIAS = 1,
    parameter integer AC_W = 24,
    parameter integer AC_F = 16,
    parameter integer AC_Q = 0,
    parameter integer AC_O = 0,
    parameter integer LW = 1,  // tlast sideband width: {clear, last} in streaming designs
    parameter integer MP = 0,  // MAC engine pipeline stages (frnn_matvec)
    parameter WFILE = "w.mem",
    parameter BFILE = "b.mem"
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [  K*VW-1:0] in_data,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [    LW-1:0] in_last,
    output reg  [N*AC_W-1:0] out_data,
    output reg               out_valid,
    input  wire              out_ready,
    output reg  [    LW-1:0] out_last
);
  localparam integer BBW = (NB > 1) ? $clog2(NB) : 1;
  reg [K*VW-1:0] vec;
  reg computing, res_full;
  reg [LW-1:0] last_r, res_last;
  reg [NB*PR*AC_W-1:0] res;

  wire accept = in_valid && in_ready;
  assign in_ready = !rst && !computing && !res_full;

  // The engine reads only the first input block (PK elements) in the accept cycle,
  // later blocks from vec: a mux over the whole input would cost K*VW LUTs.
  localparam integer F = (PK < K) ? PK : K;
  wire [K*VW-1:0] mv_vec;
  assign mv_vec[F*VW-1:0] = computing ? vec[F*VW-1:0] : in_data[F*VW-1:0];
  generate
    if (F < K) begin : g_rest
      assign mv_vec[K*VW-1:F*VW] = vec[K*VW-1:F*VW];
    end
  endgenerate

  wire busy, blk_done, done_sec, done_end;
  wire [BBW-1:0] done_blk;
  wire [PR*AW-1:0] acc;
  frnn_matvec #(
      .K(K), .VW(VW), .VS(VS), .PR(PR), .PK(PK), .NB(NB), .KB(KB), .WW(WW), .AW(AW),
      .SH(SH), .HAS_BIAS(HAS_BIAS), .MP(MP), .WFILE(WFILE), .BFILE(BFILE)
  ) u_mv (
      .clk(clk), .rst(rst), .start(accept), .first_blk({BBW{1'b0}}),
      .num_blk(NB[BBW:0]), .vec(mv_vec), .busy(busy),
      .blk_done(blk_done), .done_blk(done_blk), .done_sec(done_sec),
      .done_end(done_end), .acc(acc)
  );

  wire [PR*AC_W-1:0] accc;
  frnn_cast_rows #(
      .N(PR), .IW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)
  ) u_cast (.din(acc), .dout(accc));

  integer b;
  always @(posedge clk) begin
    if (rst) begin
      computing <= 1'b0;
      res_full  <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      if (accept) begin
        vec <= in_data;
        last_r <= in_last;
        computing <= 1'b1;
      end
      if (blk_done) begin
        // constant slices, one enable per block (a variable part-select write
        // synthesizes to a barrel shifter over the whole result register)
        for (b = 0; b < NB; b = b + 1) if (done_blk == b) res[b*PR*AC_W+:PR*AC_W] <= accc;
        if (done_end) begin
          computing <= 1'b0;
          res_full  <= 1'b1;
          res_last  <= last_r;
        end
      end
      if (res_full && (!out_valid || out_ready)) begin
        out_data  <= res[N*AC_W-1:0];
        out_last  <= res_last;
        out_valid <= 1'b1;
        res_full  <= 1'b0;
      end else if (out_valid && out_ready) out_valid <= 1'b0;
    end
  end
endmodule

`default_nettype wire
