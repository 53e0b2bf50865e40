// fpga-rnn HLS kernels: arithmetic building blocks.
//
// These implement fpga_rnn.golden.ops operation by operation. The rule that
// makes them bit-exact: every assignment to a declared ap_fixed variable is the
// specification's cast(v -> T) (T's rounding and overflow modes), and products
// and sums between assignments are exact (ap_types widens them).
// Activation tables are not computed here: they are emitted from
// fpga_rnn.tables as weight arrays, so no libm is involved.
#ifndef FRNN_OPS_H_
#define FRNN_OPS_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "frnn_codes.h" // activation_kind, cell_kind, table_kind: generated from fpga_rnn.ir.kinds

namespace frnn {

// Sign-extended integer mantissa of a fixed-point value (width <= 64).
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
inline long long mantissa(const ap_fixed_base<W, I, S, Q, O, N> &x) {
    ap_int_base<W, S> m = x.range(W - 1, 0);
    return m.to_int64();
}

// Integers (token ids, the valid flag) are their own mantissa.
template <int W, bool S> inline long long mantissa(const ap_int_base<W, S> &x) { return x.to_int64(); }

// Fractional bits of a fixed-point type.
template <class T> struct frac_bits {
    static const int value = T::width - T::iwidth;
};

// The value mantissa * 2^-FQ, exactly, as a wide fixed-point number (to cast from).
template <int FQ> inline ap_fixed<64 + FQ, 64> from_mantissa(long long m) {
    ap_fixed<64 + FQ, 64> v = ap_int<64>(m);
    v >>= FQ; // exact: FQ extra fractional bits
    return v;
}

// Sigmoid/tanh table index (fpga_rnn.tables.index):
//   idx = trunc0(m * N / (2R * 2^F)) + N/2, clamped to [0, N-1],
// with SHIFT = log2(2R) + F - log2(N), a compile-time constant.
template <int SHIFT, int N> inline int table_index(long long m) {
    const long long lim = 1LL << 40; // far outside every table: keeps shifts in range
    m = m > lim ? lim : (m < -lim ? -lim : m);
    long long k;
    if (SHIFT >= 0) {
        long long a = (m < 0 ? -m : m) >> (SHIFT >= 0 ? SHIFT : 0);
        k = m < 0 ? -a : a; // truncation toward zero
    } else {
        k = m * (1LL << (SHIFT < 0 ? -SHIFT : 0));
    }
    k += N / 2;
    return k < 0 ? 0 : (k > N - 1 ? N - 1 : (int)k);
}

// Softmax exp table index on d = x - max(x) <= 0: min(floor(-d * N / (R * 2^F)), N-1).
template <int SHIFT, int N> inline int exp_index(long long d) {
    const long long lim = 1LL << 40;
    long long neg = d < -lim ? lim : -d;
    long long k = SHIFT >= 0 ? neg >> (SHIFT >= 0 ? SHIFT : 0) : neg * (1LL << (SHIFT < 0 ? -SHIFT : 0));
    return k > N - 1 ? N - 1 : (int)k;
}

// Table activation: cast(TABLE[idx(x)] -> out_T); LOG2_2R = 4 (sigmoid) or 3 (tanh).
template <int LOG2_2R, int LOG2_N, class out_T, class in_T, class table_T>
inline out_T table_act(const in_T &x, const table_T *table) {
    const int shift = LOG2_2R + frac_bits<in_T>::value - LOG2_N;
    return out_T(table[table_index<shift, (1 << LOG2_N)>(mantissa(x))]);
}


// y = W x + b (fpga_rnn.golden.ops.dense): acc = cast(b -> accum); for i ascending:
// acc = cast(acc + cast(x_i * w_ij -> accum) -> accum). Columns COL0 .. COL0+N_OUT-1
// of a row-major (N_IN, STRIDE) kernel.
template <class accum_T, int N_IN, int N_OUT, int STRIDE, int COL0, bool BIAS, class data_T, class w_T,
          class b_T>
void dense(const data_T x[N_IN], accum_T y[N_OUT], const w_T *w, const b_T *b) {
    for (int j = 0; j < N_OUT; j++) {
#pragma HLS UNROLL
        accum_T acc = 0;
        if (BIAS)
            acc = b[j];
        for (int i = 0; i < N_IN; i++) {
            accum_T p = x[i] * w[i * STRIDE + COL0 + j];
            acc = acc + p;
        }
        y[j] = acc;
    }
}


// Softmax over N values (fpga_rnn.golden.ops.activation): d = x - max(x) exactly,
// e = EXP[idx(d)], y = floor(e * 2^FQ / sum(e)) cast into out_T.
template <int LOG2_N, int FQ, int N, class in_T, class out_T, class table_T>
void softmax(const in_T *x, out_T *y, const table_T *exp_table) {
    const int n = N;
    const int shift = exp_log2_r + frac_bits<in_T>::value - LOG2_N;
    long long mx = mantissa(x[0]);
    for (int i = 1; i < n; i++) {
        long long m = mantissa(x[i]);
        mx = m > mx ? m : mx;
    }
    long long e[N];
    long long total = 0;
    for (int i = 0; i < n; i++) {
        e[i] = mantissa(exp_table[exp_index<shift, (1 << LOG2_N)>(mantissa(x[i]) - mx)]);
        total += e[i];
    }
    if (total < 1)
        total = 1;
    for (int i = 0; i < n; i++)
        y[i] = from_mantissa<FQ>((e[i] << FQ) / total);
}

// An element-wise activation (or softmax) of n values into out_T.
template <int ACT, int LOG2_N, int FQ, int N, class in_T, class out_T, class table_T>
void activate(const in_T *x, out_T *y, const table_T *table) {
    if (ACT == act_softmax) {
        softmax<LOG2_N, FQ, N>(x, y, table);
        return;
    }
    for (int i = 0; i < N; i++) {
        if (ACT == act_linear)
            y[i] = x[i];
        else if (ACT == act_relu)
            y[i] = x[i] > 0 ? x[i] : in_T(0);
        else if (ACT == act_sigmoid)
            y[i] = table_act<table_sigmoid, LOG2_N, out_T>(x[i], table);
        else
            y[i] = table_act<table_tanh, LOG2_N, out_T>(x[i], table);
    }
}

} // namespace frnn

#endif
