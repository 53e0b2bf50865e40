// fpga-rnn HLS kernels: the layer entry points called from the hls4ml project
// (one per IR layer kind; fpga_rnn.backends.hls.kinds generates their configs and calls).
#ifndef FRNN_LAYERS_H_
#define FRNN_LAYERS_H_

#include "frnn_ops.h"
#include "frnn_recurrent.h"

namespace frnn {

// Valid flag per time step (Keras Masking / mask_zero, on the quantized input):
// a step is padding when every feature code equals mask_code. Without a mask
// every step is valid.
template <class C, class data_T, class valid_T> void valid_steps(const data_T *x, valid_T *valid) {
    for (int t = 0; t < C::n_timesteps; t++) {
        bool v = !C::use_mask;
        for (int j = 0; j < C::n_features; j++)
            v = v || mantissa(x[t * C::n_features + j]) != C::mask_code;
        valid[t] = v;
    }
}

// Embedding: token id -> row of the (vocabulary, n_out) table.
template <class C, class data_T, class res_T> void embedding(const data_T *x, res_T *y, const typename C::table_t *table) {
    for (int t = 0; t < C::n_timesteps; t++) {
        const long long id = mantissa(x[t]);
        for (int j = 0; j < C::n_out; j++)
            y[t * C::n_out + j] = table[id * C::n_out + j];
    }
}

// Dense over the last axis of n_rows rows: acc = W x + b in accum_t, then the
// activation into res_T (fpga_rnn.golden.model._dense).
template <class C, class data_T, class res_T>
void dense_layer(const data_T *x, res_T *y, const typename C::weight_t *w, const typename C::bias_t *b,
                 const typename C::table_t *table) {
    for (int r = 0; r < C::n_rows; r++) {
        typename C::accum_t acc[C::n_out];
        dense<typename C::accum_t, C::n_in, C::n_out, C::n_out, 0, true>(&x[r * C::n_in], acc, w, b);
        activate<C::activation, C::log2_table_size, C::softmax_frac, C::n_out>(acc, &y[r * C::n_out], table);
    }
}

// A stand-alone activation over the last axis (softmax per row).
template <class C, class data_T, class res_T>
void activation_layer(const data_T *x, res_T *y, const typename C::table_t *table) {
    for (int r = 0; r < C::n_rows; r++)
        activate<C::activation, C::log2_table_size, C::softmax_frac, C::n_in>(&x[r * C::n_in], &y[r * C::n_in],
                                                                            table);
}

// Window j of a window layer (fpga_rnn.ir.conv.Window): tap k is row
// j * strides + k * dilation - pad_left of x (n_rows_in rows of n_in), zero outside.
template <class C, class data_T> void gather_window(const data_T *x, int j, data_T *win) {
    for (int k = 0; k < C::taps; k++) {
        const int r = j * C::strides + k * C::dilation - C::pad_left;
        for (int i = 0; i < C::n_in; i++)
            win[k * C::n_in + i] = (r >= 0 && r < C::n_rows_in) ? x[r * C::n_in + i] : data_T(0);
    }
}

// Conv1D: a dense over each window flattened tap-major, then the activation
// (fpga_rnn.golden.model._conv1d).
template <class C, class data_T, class res_T>
void conv1d_layer(const data_T *x, res_T *y, const typename C::weight_t *w, const typename C::bias_t *b,
                  const typename C::table_t *table) {
    for (int j = 0; j < C::n_rows_out; j++) {
        data_T win[C::taps * C::n_in];
        typename C::accum_t acc[C::n_out];
        gather_window<C>(x, j, win);
        dense<typename C::accum_t, C::taps * C::n_in, C::n_out, C::n_out, 0, true>(win, acc, w, b);
        activate<C::activation, C::log2_table_size, C::softmax_frac, C::n_out>(acc, &y[j * C::n_out], table);
    }
}

// Max or average pooling of each window (fpga_rnn.golden.model._pooling1d): the
// largest code, or the exact sum read with log2_taps more fraction bits cast to res_T.
template <class C, class data_T, class res_T> void pool_layer(const data_T *x, res_T *y) {
    for (int j = 0; j < C::n_rows_out; j++) {
        data_T win[C::taps * C::n_in];
        gather_window<C>(x, j, win);
        for (int i = 0; i < C::n_in; i++) {
            long long v = mantissa(win[i]);
            for (int k = 1; k < C::taps; k++) {
                const long long u = mantissa(win[k * C::n_in + i]);
                v = C::is_max ? (u > v ? u : v) : v + u;
            }
            y[j * C::n_in + i] = from_mantissa<C::out_frac>(v);
        }
    }
}

} // namespace frnn

#endif
