// fpga-rnn Zynq package, HLS route: the AXI-Stream / AXI4-Lite top around the hls4ml
// project's frnn_model (docs/zynq.md). frnn_axi_format.h (the word format, from
// fpga_rnn/device/axi_words.py) and frnn_axi_design.h (this design's steps, mask and
// digest) are generated per package.
#ifndef FRNN_AXI_H_
#define FRNN_AXI_H_

#include "ap_int.h"
#include "hls_stream.h"

#include "frnn_axi_design.h"
#include "frnn_axi_format.h"
#include "frnn_model.h"

#if defined(__has_include)
#if __has_include(<ap_axi_sdata.h>)
#define FRNN_AXI_HAVE_SDATA 1
#endif
#endif

#ifdef FRNN_AXI_HAVE_SDATA
#include <ap_axi_sdata.h>
typedef ap_axiu<FRNN_AXI_DW, 0, 0, 0> frnn_word_t;
#else
// Outside Vitis/Vivado HLS (g++ C-simulation): the members of ap_axiu this top uses.
struct frnn_word_t {
    ap_uint<FRNN_AXI_DW> data;
    ap_uint<FRNN_AXI_DW / 8> keep;
    ap_uint<FRNN_AXI_DW / 8> strb;
    ap_uint<1> last;
};
#endif

typedef ap_uint<32> frnn_reg_t;

// One call takes one sequence (input words up to tlast) and writes its output words.
// control: FRNN_AXI_CONTROL_CLEAR_ERRORS clears the sticky error flags first.
void frnn_axi(hls::stream<frnn_word_t> &in_stream, hls::stream<frnn_word_t> &out_stream,
              frnn_reg_t control, frnn_reg_t *magic, frnn_reg_t *format, frnn_reg_t *status,
              frnn_reg_t *sequences, frnn_reg_t *digest_lo, frnn_reg_t *digest_hi, frnn_reg_t *in_shape,
              frnn_reg_t *out_shape);

#endif
