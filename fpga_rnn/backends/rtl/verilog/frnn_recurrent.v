// Recurrent layer core: SimpleRNN, LSTM or GRU over a stream of input vectors x.
//
// One MAC engine (frnn_matvec) does all of a step's multiplies: its ROM holds the
// U*h rows (section 0) and the W*x + b rows (section 1), rows unit-major (u*G +
// gate). Per step the U*h pass runs first; each finished row block goes straight
// into PU cell lanes, so the cell math of block b overlaps the MACs of block b+1,
// and the W*x + b pass of the *next* input runs while the last block's lanes finish
// (the dependency chain), so a step costs U*h + max(W*x, chain) cycles. That pass
// writes a_reg in place: the lanes took their rows of it when their block finished.
// The next step starts in the cycle its last W*x block lands. The new h
// goes to the second of two state banks (the pass still reads the first); the banks
// swap when the last unit is written. State starts at zero for the first step of
// every sequence (no clearing cycle). The output stream carries h (state format)
// for every step (RETSEQ) or only for the last one; in_last marks a sequence's end.
// STREAM=1 (stateful streaming, docs/streaming.md): in_last is {clear, last}; the
// state carries on across tlast (which only closes an output chunk) and is zeroed
// before a beat whose clear bit is set (and after reset); every step is emitted,
// out_last = {clear of that step's input, last}.
// KIND: 0 SimpleRNN, 1 LSTM, 2 GRU reset_after=1, 3 GRU reset_after=0 (two U*h
// passes: z|r rows, then U_h * (r.h)). SPLIT (KIND 3, KB >= 2, H > PU): the second pass's
// row blocks hold two lane groups of PU units (its rows are half as many); the
// second group enters the lanes one cycle after the first, from a latch.
// KIND 3's W*x + b section has two parts: NBXA blocks of z|r rows (laid out like
// pass 1), then the h gate's rows. With the next input waiting when pass 1's last
// tile issues, the first part runs while pass 1's lanes compute r.h (pass 2 waits
// for them anyway) and the second after pass 2; else the whole section after pass 2.
// PO > 0 (projected LSTM, KIND 1): U multiplies h' = cast(Qo^T h) (PO elements in the
// PJ_* format), not h. After a step's state write its own MAC engine (an frnn_dense,
// bias-free, sums in QA_*) projects the new h; the next step starts when h' is in.
// The last step of a sequence (STREAM = 0) is not projected: the next starts at zero.
// Reset: synchronous, active high.
`default_nettype none
`include "frnn_codes.vh"
/* verilator lint_off UNUSEDSIGNAL */  // busy is informational; d_blk is one stage longer than read; lh is read by GRU lanes only
/* verilator lint_off WIDTHEXPAND */  // counters compared with integer parameters: zero-extension intended

module frnn_recurrent #(
    parameter integer KIND = 1,
    parameter integer ACT = 3,  // SimpleRNN activation (fpga_rnn.ir.kinds codes)
    parameter integer H = 4,
    parameter integer X = 3,
    parameter integer IN_W = 8, parameter integer IN_S = 1,
    parameter integer RETSEQ = 0,
    parameter integer STREAM = 0,
    parameter integer AC_W = 24, parameter integer AC_F = 16, parameter integer AC_Q = 0,
    parameter integer AC_O = 0,
    parameter integer ST_W = 16, parameter integer ST_F = 14, parameter integer ST_S = 1,
    parameter integer ST_Q = 6, parameter integer ST_O = 1,
    parameter integer GT_W = 18, parameter integer GT_F = 16, parameter integer GT_S = 1,
    parameter integer GT_Q = 6, parameter integer GT_O = 1,
    parameter integer CL_W = 22, parameter integer CL_F = 16, parameter integer CL_Q = 6,
    parameter integer CL_O = 1,
    parameter integer TB_W = 18, parameter integer TB_F = 16, parameter integer LOGN = 11,
    parameter integer PU = 1,
    parameter integer PK = 1,
    parameter integer NB1 = 4,
    parameter integer NB2 = 0,
    parameter integer SPLIT = 0,
    parameter integer NBX = 4,
    parameter integer NBXA = NBX,
    parameter integer KB = 4,
    parameter integer KBX = 3,
    parameter integer WW = 8,
    parameter integer AW = 32,
    parameter integer SH = 0,
    parameter integer SHX = 0,
    parameter integer MP = 0,  // MAC engine pipeline stages (frnn_matvec)
    parameter integer LS = 0,  // cell lane pipeline depth (0..3, docs/latency.md)
    // output projector (PO > 0): h' format, projector sums, and its MAC engine's tiling
    parameter integer PO = 0,
    parameter integer PJ_W = 16, parameter integer PJ_F = 10, parameter integer PJ_Q = 0,
    parameter integer PJ_O = 0,
    parameter integer QA_W = 24, parameter integer QA_F = 16, parameter integer QA_Q = 0,
    parameter integer QA_O = 0,
    parameter integer QPR = 1, parameter integer QPK = 1, parameter integer QNB = 1,
    parameter integer QKB = 1, parameter integer QWW = 8, parameter integer QAW = 32,
    parameter integer QSH = 0,
    parameter QFILE = "none",
    parameter WFILE = "w.mem",
    parameter BFILE = "b.mem",
    parameter SIGMOID_MEM = "sigmoid.mem",
    parameter TANH_MEM = "tanh.mem"
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [  X*IN_W-1:0] in_data,
    input  wire                in_valid,
    output wire                in_ready,
    input  wire [    STREAM:0] in_last,
    output reg  [  H*ST_W-1:0] out_data,
    output reg                 out_valid,
    input  wire                out_ready,
    output reg  [    STREAM:0] out_last
);
  localparam integer G = (KIND == `FRNN_KIND_SIMPLE_RNN) ? `FRNN_GATES_SIMPLE_RNN
      : (KIND == `FRNN_KIND_LSTM) ? `FRNN_GATES_LSTM : `FRNN_GATES_GRU;
  localparam integer G1 = (KIND == `FRNN_KIND_SIMPLE_RNN) ? `FRNN_FIRST_PASS_GATES_SIMPLE_RNN
      : (KIND == `FRNN_KIND_LSTM) ? `FRNN_FIRST_PASS_GATES_LSTM
      : (KIND == `FRNN_KIND_GRU) ? `FRNN_FIRST_PASS_GATES_GRU : `FRNN_FIRST_PASS_GATES_GRU_RB;
  localparam integer PR = G1 * PU;
  localparam integer NB = NB1 + NB2;  // U*h row blocks; W*x blocks follow
  localparam integer LAT = (KIND == `FRNN_KIND_LSTM) ? `FRNN_LANE_CYCLES_LSTM(LS)  // lane output cycle
      : (KIND == `FRNN_KIND_GRU) ? `FRNN_LANE_CYCLES_GRU(LS)
      : (KIND == `FRNN_KIND_GRU_RB) ? `FRNN_LANE_CYCLES_GRU_RB(LS)
      : `FRNN_LANE_CYCLES_SIMPLE_RNN(LS);
  localparam integer XW = (KIND == `FRNN_KIND_LSTM) ? CL_W : (KIND == `FRNN_KIND_GRU || KIND == `FRNN_KIND_GRU_RB) ? GT_W : 1;  // aux: c or z
  localparam integer BBW = (NB > 1) ? $clog2(NB) : 1;

  // ---- state -------------------------------------------------------------------
  localparam integer NBT = NB + NBX;
  localparam integer MBW = $clog2(NBT);
  reg [H*ST_W-1:0] bank0, bank1, rh;
  reg [H*XW-1:0] aux;  // LSTM: c; GRU reset_after=0: z
  reg sel, first, last_r, stepping, mac_p2, p2_ok, emit_pend;
  reg nxt_clr;  // STREAM: the waiting input's clear bit
  reg [STREAM:0] emit_last;
  reg [G*H*AC_W-1:0] a_reg;  // W*x + b, unit-major rows
  reg [X*IN_W-1:0] x_reg;
  reg xpass, nxt_full, nxt_last, nxt_is_x, nxt_p2;
  reg gap;  // KIND 3: pass 1 is running or just ended, pass 2 not yet started
  reg eng_x;  // the engine's current (or last) pass is a W*x pass
  wire [H*ST_W-1:0] hsel = sel ? bank1 : bank0;

  wire start_ok = !emit_pend || !out_valid || out_ready;
  wire mv_busy, blk_done, done_x, done_end;
  wire x_end;  // the W*x pass's last block lands this cycle
  reg pj_busy;  // PO > 0: the last step's h is being projected
  wire step_start = !rst && !stepping && (nxt_full || x_end) && start_ok && !nxt_is_x && !nxt_p2
      && !mv_busy && !pj_busy;
  // the W*x pass of the next input starts right after the step's last U*h pass
  // (KIND 3: its first part may start right after pass 1, see above)
  wire x_start = !rst && nxt_is_x && !xpass && !nxt_full && !mv_busy && in_valid;
  assign in_ready = x_start;
  // KIND 3: no input when pass 1 ends: pass 2 comes first, the whole W*x pass after it
  wire gap_to_p2 = !rst && gap && nxt_is_x && !mv_busy && !x_start;
  wire p2_go = !rst && p2_ok && nxt_p2 && !mv_busy;  // r.h written
  // the W*x pass's second part (KIND 3 only: the other kinds' W*x pass is one part, and
  // saying so lets synthesis drop these terms from the pass controller's paths)
  localparam integer RB = (KIND == `FRNN_KIND_GRU_RB) ? 1 : 0;
  wire xb_start = RB != 0 && !rst && nxt_is_x && xpass && !mv_busy;

  // ---- the MAC engine ---------------------------------------------------------------
  // Vector elements: state (signed) and input codes, sign- or zero-extended to VW.
  localparam integer KU = (PO > 0) ? PO : H;  // elements of the vector U multiplies
  localparam integer UW = (PO > 0) ? PJ_W : ST_W;
  localparam integer KV = (KU > X) ? KU : X;
  localparam integer XEW = IN_W + ((IN_S != 0) ? 0 : 1);
  localparam integer VW = (UW > XEW) ? UW : XEW;
  wire [BBW-1:0] done_blk;
  wire [MBW-1:0] done_mblk;
  wire [PR*AW-1:0] acc;
  wire [H*ST_W-1:0] hv = mac_p2 ? rh : (first ? {H * ST_W{1'b0}} : hsel);
  wire [KU*UW-1:0] hp;  // h' (PO > 0), from the projector below
  wire [KU*UW-1:0] uv;
  generate
    if (PO > 0) begin : g_uv_proj
      assign uv = first ? {KU * UW{1'b0}} : hp;
    end else begin : g_uv_h
      assign uv = hv;
    end
  endgenerate
  // an x pass's start cycle reads only the first input block (PK elements) from
  // in_data, later blocks from x_reg: a mux over all of x would cost X*IN_W LUTs
  localparam integer XF = (PK < X) ? PK : X;
  wire [X*IN_W-1:0] xv;
  assign xv[XF*IN_W-1:0] = xpass ? x_reg[XF*IN_W-1:0] : in_data[XF*IN_W-1:0];
  generate
    if (XF < X) begin : g_xrest
      assign xv[X*IN_W-1:XF*IN_W] = x_reg[X*IN_W-1:XF*IN_W];
    end
  endgenerate
  // The engine multiplies x in an x pass's tiles. From registers only (the start
  // logic would otherwise head the MAC's timing path): a pass starts only while the
  // engine is idle, and then it is the pass nxt_is_x names; busy, eng_x holds. With
  // the pass request registered (MP >= 3) tiles issue only while busy, so eng_x
  // alone selects (busy, which the request register drives, stays off this path).
  wire use_x = (MP > 2 || mv_busy) ? eng_x : nxt_is_x;
  reg [KV*VW-1:0] mv_vec;
  reg [VW-1:0] ext;
  integer e;
  always @(*) begin
    mv_vec = {KV * VW{1'b0}};
    for (e = 0; e < KV; e = e + 1) begin
      ext = {VW{1'b0}};
      if (use_x && e < X) begin
        ext = {VW{IN_S != 0 && xv[e*IN_W+IN_W-1]}};
        ext[IN_W-1:0] = xv[e*IN_W+:IN_W];
      end else if (!use_x && e < KU) begin
        ext = {VW{uv[e*UW+UW-1]}};
        ext[UW-1:0] = uv[e*UW+:UW];
      end
      mv_vec[e*VW+:VW] = ext;
    end
  end
  // The pass after this cycle's start, if any: the engine loads its counters and
  // first tile while idle and in a pass's last cycle (a one-tile pass's first).
  wire to_p2 = gap && (x_start || gap_to_p2);  // pass 2 is next
  wire is_x_d = step_start || p2_go || (!to_p2 && !x_start && !xb_start && nxt_is_x);
  wire p2_d = RB != 0 && (to_p2 || (!step_start && !p2_go && nxt_p2));
  wire gap_d = RB != 0 && (step_start || (!to_p2 && gap));
  wire xpass_d = x_start || (xpass && !x_end);
  // x passes: the first part (in the gap), the second (after pass 2), or the whole
  localparam integer NBXB = NBX - NBXA;
  localparam integer XB_FIRST = NB + NBXA;
  wire [MBW-1:0] x_first = (RB != 0 && xpass_d && !gap_d) ? XB_FIRST[MBW-1:0] : NB[MBW-1:0];
  wire [MBW:0] x_num = RB == 0 ? NBX[MBW:0] : gap_d ? NBXA[MBW:0] : xpass_d ? NBXB[MBW:0]
      : NBX[MBW:0];
  wire [MBW-1:0] first_blk = is_x_d ? x_first : (p2_d ? NB1[MBW-1:0] : {MBW{1'b0}});
  wire [MBW:0] num_blk = is_x_d ? x_num : (p2_d ? NB2[MBW:0] : NB1[MBW:0]);
  frnn_matvec #(
      .K(KV), .VW(VW), .VS(1), .PR(PR), .PK(PK), .NB(NBT), .KB(KB), .WW(WW), .AW(AW),
      .SH(SH), .HAS_BIAS(1), .NB0(NB), .KB1(KBX), .SH1(SHX), .MP(MP), .WFILE(WFILE),
      .BFILE(BFILE)
  ) u_mv (
      .clk(clk), .rst(rst), .start(step_start || p2_go || x_start || xb_start),
      .first_blk(first_blk),
      .num_blk(num_blk), .vec(mv_vec), .busy(mv_busy), .blk_done(blk_done),
      .done_blk(done_mblk), .done_sec(done_x), .done_end(done_end), .acc(acc)
  );
  // from the engine's registered block flags: x_end heads the step-start decision
  wire x_done = blk_done && done_x;
  assign x_end = blk_done && done_end;  // the W*x section's last block is the ROM's
  wire h_done = blk_done && !done_x;
  assign done_blk = done_mblk[BBW-1:0];

  // W*x + b rows leave the engine in AW bits; cast into the accumulator format
  wire [PR*AC_W-1:0] accc;
  frnn_cast_rows #(
      .N(PR), .IW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O)
  ) u_cast (.din(acc), .dout(accc));

  // ---- cell lanes ---------------------------------------------------------------
  // Lane groups: PU units each, group g = units g*PU ... A block of pass 1 is one
  // group; a split pass-2 block b is groups 2b (now) and 2b+1 (next cycle, hb_*).
  localparam integer NG2 = (SPLIT != 0) ? 2 * NB2 : NB2;  // lane groups of pass 2
  localparam integer NGMAX = (NB1 > NG2) ? NB1 : NG2;
  wire p2_blk = (KIND == `FRNN_KIND_GRU_RB) && (done_mblk >= NB1);
  wire [BBW-1:0] b2 = done_blk - NB1[BBW-1:0];
  wire [BBW-1:0] g2 = (SPLIT != 0) ? b2 << 1 : b2;  // first lane group of pass-2 block b2
  reg hb_pend;
  reg [BBW-1:0] hb_grp;
  wire [PU*AW-1:0] hb_acc;
  wire lane_go = h_done || hb_pend;
  wire ph_in = p2_blk || hb_pend;
  wire [BBW-1:0] rb_in = hb_pend ? hb_grp : p2_blk ? g2 : done_blk;
  generate
    if (SPLIT != 0) begin : g_split
      reg [PU*AW-1:0] hb_q;
      always @(posedge clk) if (h_done && p2_blk) hb_q <= acc[PU*AW+:PU*AW];
      assign hb_acc = hb_q;
    end else begin : g_nosplit
      assign hb_acc = {PU * AW{1'b0}};
    end
  endgenerate
  always @(posedge clk) begin
    hb_pend <= !rst && SPLIT != 0 && h_done && p2_blk;
    hb_grp  <= g2 | 1'b1;
  end
  // delay line: which group's results leave the lanes now
  reg [LAT:0] d_valid;
  reg [LAT:0] d_phase;
  reg [BBW*(LAT+1)-1:0] d_blk;
  always @(posedge clk) begin
    d_valid <= rst ? {(LAT + 1) {1'b0}} : {d_valid[LAT-1:0], lane_go};
    d_phase <= {d_phase[LAT-1:0], ph_in};
    d_blk   <= {d_blk[BBW*LAT-1:0], rb_in};
  end
  wire o_valid = d_valid[LAT-1];
  wire o_phase = d_phase[LAT-1];
  wire [BBW-1:0] o_blk = d_blk[BBW*(LAT-1)+:BBW];

  wire [PU*ST_W-1:0] lane_h, lane_hc;
  wire [PU*XW-1:0] lane_x, lane_xc;
  // LS = 2: the lanes' results registered before the state write (a cast, then the
  // write's bank select, in one cycle was the critical path); in the lane latency
  frnn_delay #(.W(PU * (ST_W + XW)), .N(LS > 1 ? 1 : 0)) u_out (
      .clk(clk), .din({lane_hc, lane_xc}), .dout({lane_h, lane_x}));
  // LS = 1: every lane input is registered on entry (the block select of a_reg, the
  // state and the U*h sums reach the cells from registers; one lane cycle more)
  wire ph_q;
  frnn_delay #(.W(1), .N(LS > 0 ? 1 : 0)) u_phq (.clk(clk), .din(ph_in), .dout(ph_q));
  genvar l;
  generate
    for (l = 0; l < PU; l = l + 1) begin : g_lane
      // This lane's unit in the current block: an AND-OR mux over constant slices
      // (a variable part-select read synthesizes to a barrel shifter over a_reg).
      reg [G*AC_W-1:0] la;
      reg [ST_W-1:0] lh_s;
      reg [XW-1:0] lx_s;
      integer bk;
      always @(*) begin
        la = {G * AC_W{1'b0}};
        lh_s = {ST_W{1'b0}};
        lx_s = {XW{1'b0}};
        for (bk = 0; bk < NGMAX; bk = bk + 1) begin
          if (rb_in == bk && bk * PU + l < H) begin
            la = la | a_reg[(bk*PU+l)*G*AC_W+:G*AC_W];
            lh_s = lh_s | hsel[(bk*PU+l)*ST_W+:ST_W];
            lx_s = lx_s | aux[(bk*PU+l)*XW+:XW];
          end
        end
      end
      wire [AW-1:0] lu2 = hb_pend ? hb_acc[l*AW+:AW] : acc[l*AW+:AW];  // pass 2
      wire [4*AW-1:0] lu = ph_in ? {{(3 * AW) {1'b0}}, lu2} :
          {{((4 - G1) * AW) {1'b0}}, acc[l*G1*AW+:G1*AW]};
      wire [ST_W-1:0] lh_d = first ? {ST_W{1'b0}} : lh_s;
      wire [XW-1:0] lx_d = (first && KIND == `FRNN_KIND_LSTM) ? {XW{1'b0}} : lx_s;
      wire [G*AC_W-1:0] la_q;
      wire [4*AW-1:0] lu_q;
      wire [ST_W-1:0] lh;
      wire [XW-1:0] lx;
      frnn_delay #(.W(G * AC_W + 4 * AW + ST_W + XW), .N(LS > 0 ? 1 : 0)) u_in (
          .clk(clk), .din({la, lu, lh_d, lx_d}), .dout({la_q, lu_q, lh, lx})
      );
      if (KIND == `FRNN_KIND_LSTM) begin : g_lstm
        frnn_lstm_cell #(
            .AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O), .ST_W(ST_W),
            .ST_F(ST_F), .ST_S(ST_S), .ST_Q(ST_Q), .ST_O(ST_O), .GT_W(GT_W), .GT_F(GT_F),
            .GT_S(GT_S), .GT_Q(GT_Q), .GT_O(GT_O), .CL_W(CL_W), .CL_F(CL_F), .CL_Q(CL_Q),
            .CL_O(CL_O), .TB_W(TB_W), .TB_F(TB_F), .LOGN(LOGN), .LS(LS), .SIGMOID_MEM(SIGMOID_MEM),
            .TANH_MEM(TANH_MEM)
        ) u_cell (
            .clk(clk), .a(la_q), .u(lu_q), .c_old(lx), .h_new(lane_hc[l*ST_W+:ST_W]),
            .c_new(lane_xc[l*XW+:XW])
        );
      end else if (KIND == `FRNN_KIND_SIMPLE_RNN) begin : g_rnn
        frnn_rnn_cell #(
            .ACT(ACT), .AW(AW), .AC_W(AC_W), .AC_F(AC_F), .AC_Q(AC_Q), .AC_O(AC_O),
            .ST_W(ST_W), .ST_F(ST_F), .ST_S(ST_S), .ST_Q(ST_Q), .ST_O(ST_O), .TB_W(TB_W),
            .TB_F(TB_F), .LOGN(LOGN), .LS(LS), .TANH_MEM(TANH_MEM)
        ) u_cell (.clk(clk), .a(la_q), .u(lu_q[AW-1:0]), .h_new(lane_hc[l*ST_W+:ST_W]));
        assign lane_xc[l*XW+:XW] = 1'b0;
      end else begin : g_gru
        wire [GT_W-1:0] zn;
        frnn_gru_cell #(
            .RESET_AFTER(KIND == `FRNN_KIND_GRU ? 1 : 0), .AW(AW), .AC_W(AC_W), .AC_F(AC_F),
            .AC_Q(AC_Q), .AC_O(AC_O), .ST_W(ST_W), .ST_F(ST_F), .ST_S(ST_S), .ST_Q(ST_Q),
            .ST_O(ST_O), .GT_W(GT_W), .GT_F(GT_F), .GT_S(GT_S), .GT_Q(GT_Q), .GT_O(GT_O),
            .TB_W(TB_W), .TB_F(TB_F), .LOGN(LOGN), .LS(LS), .SIGMOID_MEM(SIGMOID_MEM),
            .TANH_MEM(TANH_MEM)
        ) u_cell (
            .clk(clk), .phase(ph_q), .a(la_q), .u(lu_q[3*AW-1:0]), .h_old(lh),
            .z_old(lx[GT_W-1:0]), .h_new(lane_hc[l*ST_W+:ST_W]), .z_new(zn)
        );
        assign lane_xc[l*XW+:XW] = (KIND == `FRNN_KIND_GRU_RB) ? zn : {XW{1'b0}};
      end
    end
  endgenerate

  // ---- output projector (PO > 0) -------------------------------------------------
  // the new h (the bank the step wrote, selected from the cycle after its end)
  reg pj_go;
  wire pj_done;
  generate
    if (PO > 0) begin : g_proj
      wire [PO*QA_W-1:0] pacc;
      wire pv, pj_ready;
      wire pj_lo;
      frnn_dense #(
          .K(H), .VW(ST_W), .VS(1), .N(PO), .PR(QPR), .PK(QPK), .NB(QNB), .KB(QKB), .WW(QWW),
          .AW(QAW), .SH(QSH), .HAS_BIAS(0), .AC_W(QA_W), .AC_F(QA_F), .AC_Q(QA_Q), .AC_O(QA_O),
          .MP(MP), .WFILE(QFILE), .BFILE("none")
      ) u_proj (
          .clk(clk), .rst(rst), .in_data(hsel), .in_valid(pj_go), .in_ready(pj_ready),
          .in_last(1'b0), .out_data(pacc), .out_valid(pv), .out_ready(1'b1), .out_last(pj_lo)
      );
      reg [PO*PJ_W-1:0] hp_q;
      genvar q;
      for (q = 0; q < PO; q = q + 1) begin : g_cast
        wire [PJ_W-1:0] hq;
        frnn_cast #(
            .IW(QA_W), .IF(QA_F), .IS(1), .OW(PJ_W), .OF(PJ_F), .OS(1), .RND(PJ_Q), .OVF(PJ_O)
        ) u_c (.din(pacc[q*QA_W+:QA_W]), .dout(hq));
        always @(posedge clk) if (pv) hp_q[q*PJ_W+:PJ_W] <= hq;
      end
      assign hp = hp_q;
      assign pj_done = pv;
    end else begin : g_noproj
      assign hp = {KU * UW{1'b0}};
      assign pj_done = 1'b0;
    end
  endgenerate

  // ---- write-back and step control ------------------------------------------------
  localparam integer GCW = $clog2(NGMAX + 1);
  reg [GCW-1:0] groups;
  wire final_phase = (KIND != `FRNN_KIND_GRU_RB) || o_phase;
  wire [GCW-1:0] ng = o_phase ? NG2[GCW-1:0] : NB1[GCW-1:0];
  wire phase_end = o_valid && (groups == ng - 1'b1);
  wire step_end = phase_end && final_phase;
  // a_reg row (unit-major) of the W*x section's row j; -1: padding
  function automatic integer xrow(input integer j);
    integer i;
    begin
      i = j - NBXA * PR;
      if (KIND != `FRNN_KIND_GRU_RB) xrow = (j < G * H) ? j : -1;
      else if (i < 0) xrow = (j < 2 * H) ? (j / 2) * 3 + j % 2 : -1;
      else xrow = (i < H) ? i * 3 + 2 : -1;
    end
  endfunction
  integer j;
  always @(posedge clk) begin
    if (rst) begin
      stepping <= 1'b0;
      first <= 1'b1;
      sel <= 1'b0;
      mac_p2 <= 1'b0;
      xpass <= 1'b0;
      nxt_full <= 1'b0;
      nxt_is_x <= 1'b1;
      nxt_p2 <= 1'b0;
      p2_ok <= 1'b0;
      gap <= 1'b0;
      eng_x <= 1'b0;
      emit_pend <= 1'b0;
      out_valid <= 1'b0;
      groups <= 0;
      pj_busy <= 1'b0;
      pj_go <= 1'b0;
    end else begin
      // project every step's h but a sequence's last (STREAM: every step's)
      pj_go <= PO > 0 && step_end && (STREAM != 0 || !last_r);
      if (PO > 0 && step_end && (STREAM != 0 || !last_r)) pj_busy <= 1'b1;
      else if (pj_done) pj_busy <= 1'b0;
      nxt_is_x <= is_x_d;
      nxt_p2 <= p2_d;
      gap <= gap_d;
      if (x_start || xb_start) eng_x <= 1'b1;
      else if (step_start || p2_go) eng_x <= 1'b0;
      if (p2_go) p2_ok <= 1'b0;
      // x_reg follows the input while no input is held, so it holds the accepted one
      // from x_start on (x_start, an AND of the engine's busy, fans out too widely to
      // enable every input bit in the clock's time)
      if (!xpass && !nxt_full) x_reg <= in_data;
      if (x_start) begin
        xpass <= 1'b1;
        nxt_last <= in_last[0];
        nxt_clr <= in_last[STREAM];
        // STREAM: between steps, the taken input's clear bit decides the next step's
        // state (no step reads `first` until that input's W*x pass has landed)
        if (STREAM != 0 && !stepping) first <= in_last[STREAM];
      end
      if (x_done) begin
        // constant slices, one enable per block (no barrel shifter over a_reg)
        for (j = 0; j < NBX * PR; j = j + 1)
          if (xrow(j) >= 0 && done_mblk == NB + j / PR)
            a_reg[xrow(j)*AC_W+:AC_W] <= accc[(j%PR)*AC_W+:AC_W];
        if (x_end) begin
          xpass <= 1'b0;
          nxt_full <= 1'b1;
        end
      end
      if (step_start) begin
        stepping <= 1'b1;
        last_r <= nxt_last;
        nxt_full <= 1'b0;
      end
      // the second pass (reset_after=0) reads rh from when pass 1 ends to its own end
      if (KIND == `FRNN_KIND_GRU_RB && h_done && done_mblk == NB1 - 1) mac_p2 <= 1'b1;
      else if (KIND == `FRNN_KIND_GRU_RB && h_done && done_mblk == NB - 1) mac_p2 <= 1'b0;
      if (o_valid) begin
        // unit j comes from lane j % PU in block j / PU; constant slices with a block
        // enable (a variable part-select write becomes a barrel shifter in synthesis)
        for (j = 0; j < H; j = j + 1) begin
          if (o_blk == j / PU) begin
            if (KIND == `FRNN_KIND_GRU_RB && !o_phase) rh[j*ST_W+:ST_W] <= lane_h[(j%PU)*ST_W+:ST_W];
            else if (sel) bank0[j*ST_W+:ST_W] <= lane_h[(j%PU)*ST_W+:ST_W];
            else bank1[j*ST_W+:ST_W] <= lane_h[(j%PU)*ST_W+:ST_W];
            if (KIND == `FRNN_KIND_LSTM || (KIND == `FRNN_KIND_GRU_RB && !o_phase)) aux[j*XW+:XW] <= lane_x[(j%PU)*XW+:XW];
          end
        end
        groups <= phase_end ? 0 : groups + 1'b1;
        if (phase_end && !final_phase) p2_ok <= 1'b1;
      end
      if (step_end) begin
        stepping <= 1'b0;
        sel <= ~sel;
        // the next step starts from zero after a sequence's end, or (STREAM) when
        // its input, taken now or already waiting, has the clear bit
        if (STREAM == 0) first <= last_r;
        else first <= x_start ? in_last[STREAM] : nxt_clr;
        if (RETSEQ != 0 || STREAM != 0 || last_r) begin
          emit_pend <= 1'b1;
          emit_last[0] <= last_r;
          if (STREAM != 0) emit_last[STREAM] <= first;
        end
      end
      if (emit_pend && (!out_valid || out_ready)) begin
        out_data <= hsel;
        out_valid <= 1'b1;
        out_last <= emit_last;
        emit_pend <= 1'b0;
      end else if (out_valid && out_ready) out_valid <= 1'b0;
    end
  end
endmodule

`default_nettype wire
