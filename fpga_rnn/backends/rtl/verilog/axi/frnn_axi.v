// AXI wrapper of a generated design (frnn_top) for the Zynq package (docs/zynq.md).
//
// AXI-Stream in and out carry DW-bit words as the Xilinx AXI DMA moves them, in the
// word format of fpga_rnn/device/axi_words.py: a time step's IN_N codes in IN_SW-bit
// slots, least significant first, each step starting a new word, tlast on a
// sequence's last word; outputs likewise, each code sign- (OUT_S) or zero-extended
// to its OUT_SW-bit slot. An AXI4-Lite register block (frnn_axi_regs.vh, generated
// from the same module) reads back the format, status and error flags, the clock
// cycles of the last sequence (first input word accepted to last output word sent),
// the sequences done and the design's digest; writing CONTROL soft-resets.
// A tlast before a step's last word ends the sequence with the step zero-padded and
// sets a sticky error flag. s_axis_tkeep is ignored (the DMA sends whole words).
// Reset: aresetn, synchronous, active low; a soft reset holds the core and the
// stream side in reset for SOFT_RESET_CYCLES cycles (the register block keeps
// answering).
`default_nettype none
`include "frnn_axi_regs.vh"
/* verilator lint_off UNUSEDSIGNAL */  // tkeep, wstrb's upper bytes and address bits below a word
/* verilator lint_off WIDTHEXPAND */  // indices compared with integer parameters

module frnn_axi #(
    parameter integer DW = 32,
    parameter integer IN_N = 3,
    parameter integer IN_EW = 8,
    parameter integer IN_SW = 8,
    parameter integer OUT_N = 2,
    parameter integer OUT_EW = 16,
    parameter integer OUT_SW = 16,
    parameter integer OUT_S = 1,
    parameter [63:0] DIGEST = 64'h0
) (
    input  wire              aclk,
    input  wire              aresetn,
    input  wire [    DW-1:0] s_axis_tdata,
    input  wire [  DW/8-1:0] s_axis_tkeep,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    input  wire              s_axis_tlast,
    output reg  [    DW-1:0] m_axis_tdata,
    output wire [  DW/8-1:0] m_axis_tkeep,
    output wire              m_axis_tvalid,
    input  wire              m_axis_tready,
    output wire              m_axis_tlast,
    input  wire [       5:0] s_axi_awaddr,
    input  wire              s_axi_awvalid,
    output reg               s_axi_awready,
    input  wire [      31:0] s_axi_wdata,
    input  wire [       3:0] s_axi_wstrb,
    input  wire              s_axi_wvalid,
    output reg               s_axi_wready,
    output wire [       1:0] s_axi_bresp,
    output reg               s_axi_bvalid,
    input  wire              s_axi_bready,
    input  wire [       5:0] s_axi_araddr,
    input  wire              s_axi_arvalid,
    output reg               s_axi_arready,
    output reg  [      31:0] s_axi_rdata,
    output wire [       1:0] s_axi_rresp,
    output reg               s_axi_rvalid,
    input  wire              s_axi_rready
);
  localparam integer IPW = DW / IN_SW;  // input slots per word
  localparam integer WPS = (IN_N + IPW - 1) / IPW;  // words per step
  localparam integer OPW = DW / OUT_SW;
  localparam integer WPO = (OUT_N + OPW - 1) / OPW;  // words per output vector
  localparam integer IWB = (WPS > 1) ? $clog2(WPS) : 1;
  localparam integer OWB = (WPO > 1) ? $clog2(WPO) : 1;
  localparam integer TSD = 4;  // sequences timed at once (input stalls beyond)

  // ---- resets -------------------------------------------------------------------
  reg [3:0] srst_left;  // soft reset cycles left
  wire rst = !aresetn || srst_left != 0;

  // ---- input: words to steps --------------------------------------------------------
  reg [IN_N*IN_EW-1:0] step;
  reg step_full, step_last, seq_open;
  reg [IWB-1:0] widx;
  wire core_ready;
  reg [2:0] ts_n;  // sequences in flight (timed)
  wire in_fire = s_axis_tvalid && s_axis_tready;
  // a new sequence needs a free timestamp; its later words do not
  assign s_axis_tready = !rst && !step_full && (seq_open || ts_n < TSD);
  wire step_end = in_fire && (widx == WPS - 1 || s_axis_tlast);
  wire partial = in_fire && s_axis_tlast && widx != WPS - 1;
  integer e;
  always @(posedge aclk) begin
    if (rst) begin
      step <= {IN_N * IN_EW{1'b0}};
      step_full <= 1'b0;
      step_last <= 1'b0;
      seq_open <= 1'b0;
      widx <= 0;
    end else begin
      if (step_full && core_ready) begin
        step_full <= 1'b0;
        step <= {IN_N * IN_EW{1'b0}};  // a partial step's missing codes read zero
      end
      if (in_fire) begin
        // constant slices, one enable per word of the step (no shifter over the step)
        for (e = 0; e < IN_N; e = e + 1)
          if (e / IPW == widx) step[e*IN_EW+:IN_EW] <= s_axis_tdata[(e%IPW)*IN_SW+:IN_EW];
        seq_open <= !s_axis_tlast;
        if (step_end) begin
          step_full <= 1'b1;
          step_last <= s_axis_tlast;
          widx <= 0;
        end else widx <= widx + 1'b1;
      end
    end
  end

  // ---- the design -------------------------------------------------------------------
  wire [OUT_N*OUT_EW-1:0] core_out;
  wire core_valid, core_last, core_take;
  frnn_top u_core (
      .clk(aclk), .rst(rst), .s_axis_tdata(step), .s_axis_tvalid(step_full),
      .s_axis_tready(core_ready), .s_axis_tlast(step_last), .s_axis_tuser(1'b0),
      .m_axis_tdata(core_out), .m_axis_tvalid(core_valid), .m_axis_tready(core_take),
      .m_axis_tlast(core_last)
  );

  // ---- output: vectors to words -------------------------------------------------------
  reg [OUT_N*OUT_EW-1:0] obuf;
  reg ofull, olast;
  reg [OWB-1:0] oidx;
  assign core_take = !rst && !ofull;
  assign m_axis_tvalid = ofull;
  assign m_axis_tlast = olast && oidx == WPO - 1;
  assign m_axis_tkeep = {DW / 8{1'b1}};
  wire out_fire = m_axis_tvalid && m_axis_tready;
  always @(posedge aclk) begin
    if (rst) begin
      ofull <= 1'b0;
      oidx  <= 0;
    end else if (core_valid && core_take) begin
      obuf  <= core_out;
      olast <= core_last;
      ofull <= 1'b1;
      oidx  <= 0;
    end else if (out_fire) begin
      if (oidx == WPO - 1) ofull <= 1'b0;
      else oidx <= oidx + 1'b1;
    end
  end
  reg [OUT_SW-1:0] ext;
  integer o;
  always @(*) begin
    m_axis_tdata = {DW{1'b0}};
    for (o = 0; o < OUT_N; o = o + 1) begin
      ext = {OUT_SW{OUT_S != 0 && obuf[o*OUT_EW+OUT_EW-1]}};
      ext[OUT_EW-1:0] = obuf[o*OUT_EW+:OUT_EW];
      if (o / OPW == oidx) m_axis_tdata[(o%OPW)*OUT_SW+:OUT_SW] = ext;
    end
  end

  // ---- timing: a sequence's first input word to its last output word ----------------
  reg [31:0] now, last_cycles, seqs;
  reg [31:0] ts[0:TSD-1];
  reg [1:0] ts_w, ts_r;
  wire seq_start = in_fire && !seq_open;
  wire seq_done = out_fire && m_axis_tlast;
  always @(posedge aclk) begin
    if (rst) begin
      now <= 32'd0;
      last_cycles <= 32'd0;
      seqs <= 32'd0;
      ts_w <= 2'd0;
      ts_r <= 2'd0;
      ts_n <= 3'd0;
    end else begin
      now <= now + 1'b1;
      if (seq_start) begin
        ts[ts_w] <= now;
        ts_w <= ts_w + 1'b1;
      end
      if (seq_done) begin
        last_cycles <= now - ts[ts_r] + 1'b1;
        seqs <= seqs + 1'b1;
        ts_r <= ts_r + 1'b1;
      end
      ts_n <= ts_n + {2'b0, seq_start} - {2'b0, seq_done};
    end
  end

  // ---- AXI4-Lite registers ----------------------------------------------------------
  reg err_partial;
  assign s_axi_bresp = 2'b00;
  assign s_axi_rresp = 2'b00;
  reg [31:0] status, rword;
  always @(*) begin
    status = 32'd0;
    status[`FRNN_AXI_BIT_STATUS_BUSY] = seq_open || ts_n != 0;
    status[`FRNN_AXI_BIT_STATUS_IN_RESET] = rst;
    status[`FRNN_AXI_BIT_STATUS_ERR_PARTIAL_STEP] = err_partial;
    case ({2'b00, s_axi_araddr[5:2], 2'b00})
      `FRNN_AXI_REG_MAGIC: rword = `FRNN_AXI_MAGIC;
      `FRNN_AXI_REG_FORMAT: rword = {OUT_SW[7:0], IN_SW[7:0], DW[7:0], `FRNN_AXI_FORMAT_VERSION};
      `FRNN_AXI_REG_STATUS: rword = status;
      `FRNN_AXI_REG_LAST_CYCLES: rword = last_cycles;
      `FRNN_AXI_REG_SEQUENCES: rword = seqs;
      `FRNN_AXI_REG_DIGEST_LO: rword = DIGEST[31:0];
      `FRNN_AXI_REG_DIGEST_HI: rword = DIGEST[63:32];
      `FRNN_AXI_REG_IN_SHAPE: rword = {8'd0, IN_EW[7:0], IN_N[15:0]};
      `FRNN_AXI_REG_OUT_SHAPE: rword = {7'd0, OUT_S[0], OUT_EW[7:0], OUT_N[15:0]};
      default: rword = 32'd0;  // CONTROL reads 0
    endcase
  end
  // one write or read at a time; a response follows its handshake by a cycle
  wire wr_go = s_axi_awvalid && s_axi_wvalid && !s_axi_awready && !s_axi_bvalid;
  wire wr_ctrl = wr_go && s_axi_awaddr[5:2] == `FRNN_AXI_REG_CONTROL >> 2 && s_axi_wstrb[0];
  always @(posedge aclk) begin
    if (!aresetn) begin
      s_axi_awready <= 1'b0;
      s_axi_wready <= 1'b0;
      s_axi_bvalid <= 1'b0;
      s_axi_arready <= 1'b0;
      s_axi_rvalid <= 1'b0;
      srst_left <= 4'd0;
      err_partial <= 1'b0;
    end else begin
      s_axi_awready <= wr_go;
      s_axi_wready <= wr_go;
      if (s_axi_awready) s_axi_bvalid <= 1'b1;
      else if (s_axi_bready) s_axi_bvalid <= 1'b0;
      s_axi_arready <= s_axi_arvalid && !s_axi_arready && !s_axi_rvalid;
      if (s_axi_arvalid && !s_axi_arready && !s_axi_rvalid) s_axi_rdata <= rword;
      if (s_axi_arready) s_axi_rvalid <= 1'b1;
      else if (s_axi_rready) s_axi_rvalid <= 1'b0;
      if (wr_ctrl && s_axi_wdata[`FRNN_AXI_BIT_CONTROL_SOFT_RESET])
        srst_left <= `FRNN_AXI_SOFT_RESET_CYCLES;
      else if (srst_left != 0) srst_left <= srst_left - 1'b1;
      if (partial) err_partial <= 1'b1;
      else if (wr_ctrl && s_axi_wdata[`FRNN_AXI_BIT_CONTROL_CLEAR_ERRORS]) err_partial <= 1'b0;
    end
  end
endmodule

`default_nettype wire
