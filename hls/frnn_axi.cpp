// fpga-rnn Zynq package, HLS route: the AXI top (frnn_axi.h) around frnn_model.
//
// The word format is the RTL route's (fpga_rnn/device/axi_words.py, frnn_axi.v): a
// step's codes in FRNN_AXI_IN_SW-bit slots, least significant first, each step
// starting a new word, tlast on a sequence's last word; outputs likewise, each code
// sign- or zero-extended to its slot. A sequence of n <= FRNN_AXI_STEPS steps runs
// as the project's FRNN_AXI_STEPS steps with the per-step flags input valid on the
// first n only (the rest hold the state, as Keras masking does), so every length
// gives golden's result for it; a masked step (every code the mask code) is invalid
// too. A tlast mid-step zero-pads the step and sets a sticky error flag, as frnn_axi.v
// does; steps beyond FRNN_AXI_STEPS are dropped with another.
#include "frnn_axi.h"

static const int T = FRNN_AXI_STEPS;
static const int IN_N = FRNN_AXI_IN_N, IN_EW = FRNN_AXI_IN_EW, IN_SW = FRNN_AXI_IN_SW;
static const int IPW = FRNN_AXI_IN_PER_WORD, WPS = FRNN_AXI_WORDS_PER_STEP;
static const int OUT_N = FRNN_AXI_OUT_N, OUT_EW = FRNN_AXI_OUT_EW, OUT_SW = FRNN_AXI_OUT_SW;
static const int OPW = FRNN_AXI_OUT_PER_WORD, WPO = FRNN_AXI_WORDS_PER_OUTPUT;

static ap_uint<OUT_SW> extend(ap_uint<OUT_EW> bits) {
#if FRNN_AXI_OUT_SIGNED
    ap_int<OUT_EW> code = bits;
    ap_int<OUT_SW> wide = code; // sign-extended
    return wide;
#else
    return bits;
#endif
}

void frnn_axi(hls::stream<frnn_word_t> &in_stream, hls::stream<frnn_word_t> &out_stream,
              frnn_reg_t control, frnn_reg_t *magic, frnn_reg_t *format, frnn_reg_t *status,
              frnn_reg_t *sequences, frnn_reg_t *digest_lo, frnn_reg_t *digest_hi, frnn_reg_t *in_shape,
              frnn_reg_t *out_shape) {
#pragma HLS INTERFACE axis port = in_stream
#pragma HLS INTERFACE axis port = out_stream
#pragma HLS INTERFACE s_axilite port = control
#pragma HLS INTERFACE s_axilite port = magic
#pragma HLS INTERFACE s_axilite port = format
#pragma HLS INTERFACE s_axilite port = status
#pragma HLS INTERFACE s_axilite port = sequences
#pragma HLS INTERFACE s_axilite port = digest_lo
#pragma HLS INTERFACE s_axilite port = digest_hi
#pragma HLS INTERFACE s_axilite port = in_shape
#pragma HLS INTERFACE s_axilite port = out_shape
#pragma HLS INTERFACE s_axilite port = return
    static frnn_reg_t done = 0;   // sequences finished since reset
    static frnn_reg_t errors = 0; // sticky error flags
    if (control & FRNN_AXI_CONTROL_CLEAR_ERRORS)
        errors = 0;
    *magic = FRNN_AXI_MAGIC;
    *format = FRNN_AXI_FORMAT;
    *digest_lo = FRNN_AXI_DIGEST_LO;
    *digest_hi = FRNN_AXI_DIGEST_HI;
    *in_shape = FRNN_AXI_IN_SHAPE;
    *out_shape = FRNN_AXI_OUT_SHAPE;

    input_t x[T * IN_N];
    input2_t flags[T];
    result_t y[FRNN_AXI_OUT_VALUES];
    for (int i = 0; i < T * IN_N; i++)
        x[i] = 0;
    for (int t = 0; t < T; t++)
        flags[t] = 0;

    // words to steps
    int steps = 0, w = 0;
    bool valid = !FRNN_AXI_USE_MASK, last = false;
    do {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = FRNN_AXI_STEPS * FRNN_AXI_WORDS_PER_STEP
        const frnn_word_t word = in_stream.read();
        last = word.last;
        for (int k = 0; k < IPW; k++) {
#pragma HLS UNROLL
            const int e = w * IPW + k;
            if (e < IN_N && steps < T) {
                const ap_uint<IN_EW> code = word.data.range(k * IN_SW + IN_EW - 1, k * IN_SW);
                x[steps * IN_N + e].range(IN_EW - 1, 0) = code;
                if (code != FRNN_AXI_MASK_BITS)
                    valid = true;
            }
        }
        if (w == WPS - 1 || last) {
            if (w != WPS - 1) {
                errors |= FRNN_AXI_STATUS_ERR_PARTIAL_STEP;
                if (FRNN_AXI_MASK_BITS != 0)
                    valid = true; // the step's zero padding is not the mask code
            }
            if (steps < T)
                flags[steps] = valid ? 1 : 0;
            else
                errors |= FRNN_AXI_STATUS_ERR_TOO_LONG;
            steps++;
            w = 0;
            valid = !FRNN_AXI_USE_MASK;
        } else {
            w++;
        }
    } while (!last);

    frnn_model(x, flags, y);

    // output vectors to words: one per step of the sequence, or one
    const int beats = FRNN_AXI_SEQ_OUT ? (steps < T ? steps : T) : 1;
    for (int b = 0; b < beats; b++) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = FRNN_AXI_STEPS
        for (int v = 0; v < WPO; v++) {
            frnn_word_t o;
            o.data = 0;
            o.keep = -1;
            o.strb = -1;
            for (int k = 0; k < OPW; k++) {
#pragma HLS UNROLL
                const int e = v * OPW + k;
                if (e < OUT_N)
                    o.data.range(k * OUT_SW + OUT_SW - 1, k * OUT_SW) =
                        extend(y[b * OUT_N + e].range(OUT_EW - 1, 0));
            }
            o.last = b == beats - 1 && v == WPO - 1;
            out_stream.write(o);
        }
    }
    done++;
    *sequences = done;
    *status = errors;
}
