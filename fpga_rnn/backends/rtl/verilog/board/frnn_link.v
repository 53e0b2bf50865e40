// The board link: framed requests over a UART in, the core run on them, framed
// responses out (the frame format is fpga_rnn/device/protocol.py's; frnn_link.vh
// holds its constants).
//
// A request's input beats are buffered and its CRC checked before the core sees
// any of them, so a corrupted or truncated frame never leaves the core
// mid-sequence; the core then runs at full speed (its outputs buffered too), and
// `cycles` counts from its first input beat to its last output beat: the
// latency measured on the chip, independent of the baud rate.
// Errors: a bad CRC is answered at once; a bad length or command after the line
// has been quiet for TIMEOUT cycles (the rest of that frame is drained); a frame
// that stops mid-way after TIMEOUT quiet cycles; a core that does not finish
// within RUN_LIMIT cycles is reset. Every error gets an error frame, and the
// parser goes back to hunting for the sync word.
`default_nettype none
`include "frnn_link.vh"

module frnn_link #(
    parameter integer IN_W = 8,
    parameter integer OUT_W = 8,
    parameter integer MAX_T = 16,  // input beats the buffer holds
    parameter integer MAX_OUT = 16,  // output beats the buffer holds
    parameter integer CLKS_PER_BIT = 16,
    parameter integer TIMEOUT = 100000,  // quiet cycles that end a frame
    parameter integer RUN_LIMIT = 1000000,  // cycles the core may take
    parameter integer INFO_LEN = 24,
    parameter [INFO_LEN*8-1:0] INFO = 0  // the INFO response's payload, byte 0 lowest
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             rx,
    output wire             tx,
    // to and from the core (AXI-Stream)
    output wire [ IN_W-1:0] s_tdata,
    output wire             s_tvalid,
    input  wire             s_tready,
    output wire             s_tlast,
    input  wire [OUT_W-1:0] m_tdata,
    input  wire             m_tvalid,
    input  wire             m_tlast,
    output wire             m_tready,
    output wire             core_rst,
    output wire             busy,  // a frame is being received, run or answered
    output reg              error  // the last frame was answered with an error
);
  localparam integer IB = (IN_W + 7) / 8;
  localparam integer OB = (OUT_W + 7) / 8;
  localparam integer TW = $clog2(MAX_T + 1);
  localparam integer OW = $clog2(MAX_OUT + 1);
  localparam integer BW = $clog2(IB + OB + 1);
  localparam integer LIMIT = TIMEOUT > RUN_LIMIT ? TIMEOUT : RUN_LIMIT;
  localparam integer QW = $clog2(LIMIT + 1);
  // the constants at the widths of what they are compared with
  localparam [31:0] IB_LAST = IB - 1, OB_LAST = OB - 1, QUIET_END = TIMEOUT;
  localparam [31:0] RUN_END = RUN_LIMIT, MAX_STEPS = MAX_T, INFO_BYTES = INFO_LEN;
  localparam [31:0] OUT_BYTES = OB, OUT_BEATS = MAX_OUT;

  localparam [3:0] S_SYNC0 = 0, S_SYNC1 = 1, S_HDR = 2, S_PAY = 3, S_CRC = 4, S_DRAIN = 5,
      S_LOAD = 6, S_RUN = 7, S_RESP = 8;
  localparam [1:0] P_HDR = 0, P_PAY = 1, P_CYC = 2, P_CRC = 3;

  function automatic [15:0] crc_step(input [15:0] c, input [7:0] d);
    integer i;
    reg [15:0] r;
    begin
      r = c ^ {d, 8'h00};
      for (i = 0; i < 8; i = i + 1) r = r[15] ? {r[14:0], 1'b0} ^ 16'h1021 : {r[14:0], 1'b0};
      crc_step = r;
    end
  endfunction

  wire [7:0] rxd;
  wire rxv;
  frnn_uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (.clk(clk), .rst(rst), .rx(rx), .data(rxd),
                                                     .valid(rxv));
  reg [7:0] txd;
  wire tx_ready;
  wire tx_valid;
  frnn_uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (.clk(clk), .rst(rst), .data(txd),
                                                     .valid(tx_valid), .ready(tx_ready), .tx(tx));

  reg [3:0] st;
  reg [15:0] crc;
  reg [1:0] hcnt;
  reg [7:0] cmd;
  reg [15:0] steps;
  reg [IB*8-1:0] word;
  /* verilator lint_off UNUSEDSIGNAL */  // its low byte is the one shifted out
  wire [IB*8+7:0] wcat = {rxd, word};
  /* verilator lint_on UNUSEDSIGNAL */
  wire [IB*8-1:0] word_next = wcat[IB*8+7:8];  // bytes arrive least significant first
  reg [BW-1:0] bcnt;
  reg [TW-1:0] widx;
  reg ccnt;
  reg [7:0] status;
  reg [QW-1:0] quiet;
  reg [IN_W-1:0] ibuf[0:MAX_T-1];
  reg [OUT_W-1:0] obuf[0:MAX_OUT-1];

  // running the core
  reg [TW-1:0] pidx;
  reg [IN_W-1:0] rdata;
  reg [OW-1:0] oidx;
  reg [15:0] olen;  // output payload bytes so far (a sum: no multiplier)
  reg started;
  reg [31:0] run_cnt, cycles;
  reg wd_rst;
  wire running = (st == S_RUN);
  assign s_tvalid = running && (pidx < steps[TW-1:0]);
  assign s_tdata = rdata;
  assign s_tlast = (pidx == steps[TW-1:0] - 1'b1);
  assign m_tready = running;
  assign core_rst = rst | wd_rst;
  wire fire = s_tvalid && s_tready;
  // the buffer's read address runs one beat ahead on a handshake, so rdata is
  // always the beat at pidx
  // buffer indices count to MAX_T (one past the last beat): one bit wider than an
  // address when MAX_T is a power of two, and never used as an address at MAX_T
  /* verilator lint_off WIDTHTRUNC */
  /* verilator lint_off UNUSEDSIGNAL */
  wire [TW-1:0] ra = fire ? pidx + 1'b1 : pidx;
  always @(posedge clk) rdata <= ibuf[ra];

  // answering
  reg [1:0] ph;
  reg [15:0] ridx;
  reg [15:0] rlen;
  reg [15:0] tcrc;
  reg [OB*8-1:0] oword;
  reg [BW-1:0] obyte;
  reg [OW-1:0] ora;
  reg [OUT_W-1:0] ordata;
  always @(posedge clk) ordata <= obuf[ora];
  /* verilator lint_on UNUSEDSIGNAL */
  assign tx_valid = (st == S_RESP);
  assign busy = (st != S_SYNC0) || !tx_ready;  // until the last byte has left

  always @* begin
    case (ph)
      P_HDR:
      case (ridx[2:0])
        3'd0: txd = `FRNN_SYNC0;
        3'd1: txd = `FRNN_SYNC1;
        3'd2: txd = status;
        3'd3: txd = cmd;
        3'd4: txd = rlen[7:0];
        default: txd = rlen[15:8];
      endcase
      P_PAY: txd = (cmd == `FRNN_CMD_INFO) ? INFO[{ridx, 3'b000}+:8] : oword[7:0];  // ridx < INFO_LEN
      P_CYC: txd = cycles[{ridx[1:0], 3'b000}+:8];
      default: txd = ridx[0] ? tcrc[7:0] : tcrc[15:8];
    endcase
  end

  task answer(input [7:0] code, input [15:0] len);
    begin
      st <= S_RESP;
      status <= code;
      rlen <= len;
      ph <= P_HDR;
      ridx <= 0;
      tcrc <= `FRNN_CRC_INIT;
      ora <= 0;
    end
  endtask

  always @(posedge clk) begin
    wd_rst <= 1'b0;
    if (st == S_PAY && rxv && bcnt == IB_LAST[BW-1:0]) ibuf[widx] <= word_next[IN_W-1:0];
    if (running && m_tvalid && oidx < OUT_BEATS[OW-1:0]) obuf[oidx] <= m_tdata;
    /* verilator lint_on WIDTHTRUNC */
    if (rst) begin
      st <= S_SYNC0;
      error <= 1'b0;
    end else begin
      quiet <= (rxv || st == S_SYNC0 || st == S_LOAD) ? 0 : quiet + 1'b1;
      case (st)
        S_SYNC0: if (rxv && rxd == `FRNN_SYNC0) st <= S_SYNC1;
        S_SYNC1:
        if (rxv) begin
          if (rxd == `FRNN_SYNC1) begin
            st <= S_HDR;
            crc <= `FRNN_CRC_INIT;
            hcnt <= 0;
          end else if (rxd != `FRNN_SYNC0) st <= S_SYNC0;
        end else if (quiet == QUIET_END[QW-1:0]) st <= S_SYNC0;  // a stray byte, not a frame
        S_HDR:
        if (rxv) begin
          crc  <= crc_step(crc, rxd);
          hcnt <= hcnt + 1'b1;
          case (hcnt)
            2'd0: cmd <= rxd;
            2'd1: steps[7:0] <= rxd;
            2'd2: steps[15:8] <= rxd;
            default: begin  // the flags byte (reserved) ends the header
              widx <= 0;
              pidx <= 0;  // S_LOAD reads beat 0 at this address
              bcnt <= 0;
              ccnt <= 1'b0;
              if (cmd == `FRNN_CMD_INFO) st <= S_CRC;
              else if (cmd != `FRNN_CMD_INFER) begin
                status <= `FRNN_ST_BAD_COMMAND;
                st <= S_DRAIN;
              end else if (steps == 0 || steps > MAX_STEPS[15:0]) begin
                status <= `FRNN_ST_BAD_LENGTH;
                st <= S_DRAIN;
              end else st <= S_PAY;
            end
          endcase
        end else if (quiet == QUIET_END[QW-1:0]) answer(`FRNN_ST_TRUNCATED, 0);
        S_PAY:
        if (rxv) begin
          crc  <= crc_step(crc, rxd);
          word <= word_next;
          if (bcnt == IB_LAST[BW-1:0]) begin
            bcnt <= 0;
            widx <= widx + 1'b1;
            if (widx == steps[TW-1:0] - 1'b1) st <= S_CRC;
          end else bcnt <= bcnt + 1'b1;
        end else if (quiet == QUIET_END[QW-1:0]) answer(`FRNN_ST_TRUNCATED, 0);
        S_CRC:
        if (rxv) begin
          crc  <= crc_step(crc, rxd);
          ccnt <= 1'b1;
          if (ccnt) begin  // the CRC of data followed by its CRC is zero
            if (crc_step(crc, rxd) != 16'h0000) answer(`FRNN_ST_BAD_CRC, 0);
            else if (cmd == `FRNN_CMD_INFO) answer(`FRNN_ST_OK, INFO_BYTES[15:0]);
            else st <= S_LOAD;
          end
        end else if (quiet == QUIET_END[QW-1:0]) answer(`FRNN_ST_TRUNCATED, 0);
        S_DRAIN: if (quiet == QUIET_END[QW-1:0]) answer(status, 0);
        S_LOAD: begin  // one cycle for the buffer's first read (of beat pidx = 0)
          st <= S_RUN;
          oidx <= 0;
          olen <= OUT_BYTES[15:0];
          started <= 1'b0;
          run_cnt <= 0;
        end
        S_RUN: begin
          if (fire) pidx <= pidx + 1'b1;
          if (started) run_cnt <= run_cnt + 1'b1;
          else if (fire) begin
            started <= 1'b1;
            run_cnt <= 1;
          end
          if (m_tvalid) begin
            oidx <= oidx + 1'b1;
            olen <= olen + OUT_BYTES[15:0];
            if (m_tlast) begin
              cycles <= run_cnt;
              answer(`FRNN_ST_OK, olen);
            end
          end else if (quiet == RUN_END[QW-1:0]) begin
            wd_rst <= 1'b1;
            cycles <= run_cnt;
            answer(`FRNN_ST_CORE_TIMEOUT, 0);
          end
        end
        S_RESP:
        if (tx_ready) begin  // tx_valid is high: this byte is taken now
          if ((ph != P_HDR || ridx >= 2) && ph != P_CRC) tcrc <= crc_step(tcrc, txd);
          ridx <= ridx + 1'b1;
          case (ph)
            P_HDR:
            if (ridx == 5) begin
              ridx <= 0;
              ph <= (rlen == 0) ? P_CYC : P_PAY;
              oword <= ordata;
              obyte <= 0;
              ora <= 1;
            end
            P_PAY: begin
              if (obyte == OB_LAST[BW-1:0]) begin
                oword <= ordata;
                ora <= ora + 1'b1;
                obyte <= 0;
              end else begin
                oword <= oword >> 8;
                obyte <= obyte + 1'b1;
              end
              if (ridx == rlen - 1'b1) begin
                ridx <= 0;
                ph   <= P_CYC;
              end
            end
            P_CYC:
            if (ridx == 3) begin
              ridx <= 0;
              ph   <= P_CRC;
            end
            default:
            if (ridx[0]) begin
              st <= S_SYNC0;
              error <= (status != `FRNN_ST_OK);
            end
          endcase
        end
        default: st <= S_SYNC0;
      endcase
    end
  end
endmodule

`default_nettype wire
