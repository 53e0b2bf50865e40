// fpga-rnn HLS kernels: recurrent layers (fpga_rnn.golden.recurrent, step by step).
//
// A layer's config struct (generated from the IR by fpga_rnn.backends.hls) names every
// format: weight_t, recurrent_weight_t, bias_t, recurrent_bias_t, accum_t (dense
// sums and pre-activations), gate_t (table outputs), state_t (h, the output),
// cell_t (the LSTM cell state), table_t; and the sizes and flags used below.
// hls4ml 1.3.0's own kernels differ from this spec (shared state/accum types,
// SimpleRNN without a kernel call, GRU reset_after=False computed as
// reset_after=True); these replace them.
#ifndef FRNN_RECURRENT_H_
#define FRNN_RECURRENT_H_

#include "frnn_ops.h"

namespace frnn {


// SimpleRNN: p = cast(a + U h -> accum); h = cast(act(p) -> state).
template <class C>
void simple_rnn_step(const typename C::accum_t *a, const typename C::state_t *h, typename C::state_t *hn,
                     const typename C::recurrent_weight_t *wr, const typename C::table_t *tanh_table) {
    const int H = C::n_units;
    typename C::accum_t u[H];
    dense<typename C::accum_t, H, H, H, 0, false>(h, u, wr, (const typename C::bias_t *)0);
    for (int j = 0; j < H; j++) {
        typename C::accum_t p = a[j] + u[j];
        if (C::activation == act_tanh)
            hn[j] = table_act<table_tanh, C::log2_table_size, typename C::state_t>(p, tanh_table);
        else if (C::activation == act_relu)
            hn[j] = p > 0 ? p : typename C::accum_t(0);
        else
            hn[j] = p;
    }
}

// LSTM (gates i, f, c, o in Keras order): p = cast(a + U h -> accum);
// c = cast(g*i + c*f -> cell); h = cast(o * cast(tanh(c) -> gate) -> state).
// Projected (n_proj > 0): U multiplies h' = cast(cast(Qo^T h -> proj_accum) -> proj).
template <class C>
void lstm_step(const typename C::accum_t *a, const typename C::state_t *h, const typename C::cell_t *c,
               typename C::state_t *hn, typename C::cell_t *cn, const typename C::recurrent_weight_t *wr,
               const typename C::table_t *sig, const typename C::table_t *tnh,
               const typename C::proj_weight_t *wp) {
    const int H = C::n_units;
    const int L = C::log2_table_size;
    typedef typename C::gate_t gate_t;
    typename C::accum_t u[4 * H];
    if (C::n_proj > 0) {
        const int P = C::n_proj > 0 ? C::n_proj : 1;
        typename C::proj_accum_t pa[P];
        typename C::proj_t hp[P];
        dense<typename C::proj_accum_t, H, P, P, 0, false>(h, pa, wp, (const typename C::bias_t *)0);
        for (int k = 0; k < P; k++)
            hp[k] = pa[k];
        dense<typename C::accum_t, P, 4 * H, 4 * H, 0, false>(hp, u, wr, (const typename C::bias_t *)0);
    } else {
        dense<typename C::accum_t, H, 4 * H, 4 * H, 0, false>(h, u, wr, (const typename C::bias_t *)0);
    }
    for (int j = 0; j < H; j++) {
        typename C::accum_t pi = a[j] + u[j];
        typename C::accum_t pf = a[H + j] + u[H + j];
        typename C::accum_t pc = a[2 * H + j] + u[2 * H + j];
        typename C::accum_t po = a[3 * H + j] + u[3 * H + j];
        gate_t i = table_act<table_sigmoid, L, gate_t>(pi, sig);
        gate_t f = table_act<table_sigmoid, L, gate_t>(pf, sig);
        gate_t g = table_act<table_tanh, L, gate_t>(pc, tnh);
        gate_t o = table_act<table_sigmoid, L, gate_t>(po, sig);
        cn[j] = g * i + c[j] * f;
        gate_t tc = table_act<table_tanh, L, gate_t>(cn[j], tnh);
        hn[j] = o * tc;
    }
}

// GRU (gates z, r, h). reset_after: u = U h + br; hh = tanh(cast(a_h + cast(r*u_h))).
// Otherwise (Keras's formula): hh = tanh(cast(a_h + U_h cast(r*h -> state))).
// Then h = cast(hh*(1-z) + h*z -> state).
template <class C>
void gru_step(const typename C::accum_t *a, const typename C::state_t *h, typename C::state_t *hn,
              const typename C::recurrent_weight_t *wr, const typename C::recurrent_bias_t *br,
              const typename C::table_t *sig, const typename C::table_t *tnh) {
    const int H = C::n_units;
    const int L = C::log2_table_size;
    typedef typename C::gate_t gate_t;
    typedef typename C::accum_t accum_t;
    accum_t u[3 * H];
    if (C::reset_after)
        dense<accum_t, H, 3 * H, 3 * H, 0, true>(h, u, wr, br);
    else
        dense<accum_t, H, 2 * H, 3 * H, 0, false>(h, u, wr, br);
    gate_t z[H], r[H];
    for (int j = 0; j < H; j++) {
        accum_t pz = a[j] + u[j];
        accum_t pr = a[H + j] + u[H + j];
        z[j] = table_act<table_sigmoid, L, gate_t>(pz, sig);
        r[j] = table_act<table_sigmoid, L, gate_t>(pr, sig);
    }
    accum_t uh[H];
    if (!C::reset_after) {
        typename C::state_t rh[H];
        for (int j = 0; j < H; j++)
            rh[j] = r[j] * h[j];
        dense<accum_t, H, H, 3 * H, 2 * H, false>(rh, uh, wr, br);
    }
    for (int j = 0; j < H; j++) {
        accum_t ph;
        if (C::reset_after) {
            accum_t s = r[j] * u[2 * H + j];
            ph = a[2 * H + j] + s;
        } else {
            ph = a[2 * H + j] + uh[j];
        }
        gate_t hh = table_act<table_tanh, L, gate_t>(ph, tnh);
        hn[j] = hh * (1 - z[j]) + h[j] * z[j];
    }
}

// A recurrent layer over n_timesteps steps (fpga_rnn.golden.recurrent.run_recurrent):
// state starts at zero; a step whose valid flag (bit 0) is 0 keeps the state (Keras
// masking) and outputs the held state, or zero when zero_masked_outputs; with
// go_backwards the steps run from the end and outputs are in processing order.
// C::stateful (streaming, fpga_rnn.golden.stream): the state is kept from call to
// call in static registers and cleared before a step whose flag has bit 1 set.
template <class C, class data_T, class valid_T, class res_T>
void recurrent(const data_T *x, const valid_T *valid, res_T *y, const typename C::weight_t *w,
               const typename C::recurrent_weight_t *wr, const typename C::bias_t *b,
               const typename C::recurrent_bias_t *br, const typename C::table_t *sig,
               const typename C::table_t *tnh, const typename C::proj_weight_t *wp) {
    const int H = C::n_units, G = C::n_gates, X = C::n_in, T = C::n_timesteps;
    static typename C::state_t h_kept[H];  // zero-initialised; used only when stateful
    static typename C::cell_t c_kept[H];
    typename C::state_t h[H], hn[H];
    typename C::cell_t c[H], cn[H];
    for (int j = 0; j < H; j++) {
        h[j] = C::stateful ? h_kept[j] : typename C::state_t(0);
        c[j] = C::stateful ? c_kept[j] : typename C::cell_t(0);
    }
    for (int s = 0; s < T; s++) {
#pragma HLS PIPELINE II = C::reuse_factor
        const int t = C::go_backwards ? T - 1 - s : s;
        if (C::stateful && (valid[t] & 2) != 0)
            for (int j = 0; j < H; j++) {
                h[j] = 0;
                c[j] = 0;
            }
        typename C::accum_t a[G * H];
        dense<typename C::accum_t, X, G * H, G * H, 0, true>(&x[t * X], a, w, b);
        if (C::kind == cell_lstm)
            lstm_step<C>(a, h, c, hn, cn, wr, sig, tnh, wp);
        else if (C::kind == cell_gru)
            gru_step<C>(a, h, hn, wr, br, sig, tnh);
        else
            simple_rnn_step<C>(a, h, hn, wr, tnh);
        const bool v = (valid[t] & 1) != 0;
        for (int j = 0; j < H; j++) {
            if (v) {
                h[j] = hn[j];
                c[j] = cn[j];
            }
            if (C::return_sequences)
                y[s * H + j] = (v || !C::zero_masked_outputs) ? h[j] : typename C::state_t(0);
        }
    }
    if (!C::return_sequences)
        for (int j = 0; j < H; j++)
            y[j] = h[j];
    if (C::stateful)
        for (int j = 0; j < H; j++) {
            h_kept[j] = h[j];
            c_kept[j] = c[j];
        }
}

// Bidirectional: forward and backward (go_backwards) layers; with return_sequences
// the backward outputs are flipped back to input order; concat or sum (cast into res_T).
template <class C, class data_T, class valid_T, class res_T>
void bidirectional(const data_T *x, const valid_T *valid, res_T *y,
                   // forward layer
                   const typename C::fwd::weight_t *fw, const typename C::fwd::recurrent_weight_t *fwr,
                   const typename C::fwd::bias_t *fb, const typename C::fwd::recurrent_bias_t *fbr,
                   const typename C::fwd::table_t *fsig, const typename C::fwd::table_t *ftnh,
                   const typename C::fwd::proj_weight_t *fwp,
                   // backward layer
                   const typename C::bwd::weight_t *bw, const typename C::bwd::recurrent_weight_t *bwr,
                   const typename C::bwd::bias_t *bb, const typename C::bwd::recurrent_bias_t *bbr,
                   const typename C::bwd::table_t *bsig, const typename C::bwd::table_t *btnh,
                   const typename C::bwd::proj_weight_t *bwp) {
    const int HF = C::fwd::n_units, HB = C::bwd::n_units;
    const int ROWS = C::fwd::return_sequences ? C::fwd::n_timesteps : 1;
    typename C::fwd::state_t f[ROWS * HF];
    typename C::bwd::state_t bo[ROWS * HB];
    recurrent<typename C::fwd>(x, valid, f, fw, fwr, fb, fbr, fsig, ftnh, fwp);
    recurrent<typename C::bwd>(x, valid, bo, bw, bwr, bb, bbr, bsig, btnh, bwp);
    for (int r = 0; r < ROWS; r++) {
        const int rb = C::fwd::return_sequences ? ROWS - 1 - r : r;
        for (int j = 0; j < HF; j++) {
            if (C::concat) {
                y[r * (HF + HB) + j] = f[r * HF + j];
            } else {
                y[r * HF + j] = f[r * HF + j] + bo[rb * HB + j];
            }
        }
        if (C::concat)
            for (int j = 0; j < HB; j++)
                y[r * (HF + HB) + HF + j] = bo[rb * HB + j];
    }
}

} // namespace frnn

#endif
