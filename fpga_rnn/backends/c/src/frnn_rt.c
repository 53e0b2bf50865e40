/* fpga-rnn embedded C runtime (see frnn_rt.h). Each function is the operation of
 * the same name in fpga_rnn/golden: products and sums are exact in int64, values
 * are rounded/wrapped only in frnn_cast, which is FixedFormat.cast. */
#include "frnn_rt.h"

static int64_t fmt_min(const frnn_fmt *f) { return f->is_signed ? -((int64_t)1 << (f->width - 1)) : 0; }

static int64_t fmt_max(const frnn_fmt *f) {
    return f->is_signed ? ((int64_t)1 << (f->width - 1)) - 1 : ((int64_t)1 << f->width) - 1;
}

int frnn_in_range(int64_t code, const frnn_fmt *f) { return code >= fmt_min(f) && code <= fmt_max(f); }

/* floor(m / 2^s) without relying on the sign behaviour of >> */
static int64_t floor_shift(int64_t m, int s) { return m >= 0 ? m >> s : ~((~m) >> s); }

static int bit_length(int64_t m) {
    uint64_t a = m < 0 ? (uint64_t)(-(m + 1)) + 1 : (uint64_t)m;
    int n = 0;
    while (a) {
        n++;
        a >>= 1;
    }
    return n;
}

/* Divide by 2^s (s > 0) with an ap_fixed rounding mode (fixed.round_shift). */
static int64_t round_shift(int64_t m, int s, int mode) {
    int neg = m < 0, tie, above, nonzero = 0, odd;
    int64_t fl;
    if (s > 62) { /* |m| < 2^62 <= half: only the sign decides */
        fl = neg ? -1 : 0;
        tie = 0;
        above = neg;
        nonzero = m != 0;
    } else {
        uint64_t rem = (uint64_t)m & (((uint64_t)1 << s) - 1), half = (uint64_t)1 << (s - 1);
        fl = floor_shift(m, s);
        tie = rem == half;
        above = rem > half;
        nonzero = rem != 0;
    }
    odd = (int)(fl & 1);
    switch (mode) {
    case FRNN_TRN: return fl;
    case FRNN_TRN_ZERO: return fl + (neg && nonzero);
    case FRNN_RND: return fl + (above || tie);
    case FRNN_RND_ZERO: return fl + (above || (tie && neg));
    case FRNN_RND_MIN_INF: return fl + above;
    case FRNN_RND_INF: return fl + (above || (tie && !neg));
    default: return fl + (above || (tie && odd)); /* RND_CONV */
    }
}

static int64_t overflow(int64_t q, const frnn_fmt *f) {
    int64_t lo = fmt_min(f), hi = fmt_max(f);
    if (f->overflow == FRNN_WRAP) {
        int64_t w = (int64_t)((uint64_t)q & (((uint64_t)1 << f->width) - 1));
        return (f->is_signed && w > hi) ? w - ((int64_t)1 << f->width) : w;
    }
    if (f->overflow == FRNN_SAT_ZERO) return (q < lo || q > hi) ? 0 : q;
    if (f->overflow == FRNN_SAT_SYM && f->is_signed) lo = -hi;
    return q < lo ? lo : (q > hi ? hi : q);
}

int64_t frnn_cast(int64_t m, int frac_in, const frnn_fmt *f) {
    int shift = frac_in - f->frac;
    if (shift > 0) return overflow(round_shift(m, shift, f->rounding), f);
    if (shift < 0) {
        int up = -shift;
        if (bit_length(m) + up > 62) { /* keep the shift in range; same result (fixed.cast) */
            if (f->overflow == FRNN_WRAP) {
                int keep = f->width - up;
                m = keep > 0 ? (int64_t)((uint64_t)m & (((uint64_t)1 << keep) - 1)) : 0;
            } else {
                int64_t lim = (int64_t)1 << (62 - up);
                m = m < -lim ? -lim : (m > lim ? lim : m);
            }
        }
        m *= (int64_t)1 << up;
    }
    return overflow(m, f);
}

int32_t frnn_at(const frnn_array *a, int32_t i) {
    if (a->bytes == 1) return ((const int8_t *)a->data)[i];
    if (a->bytes == 2) return ((const int16_t *)a->data)[i];
    return ((const int32_t *)a->data)[i];
}

/* y_j = W[:, col0 + j] . x (+ b_j), n_out columns of a row-major (n_in, stride) kernel:
 * acc = cast(b -> accum); acc = cast(acc + cast(x_i * w_ij -> accum) -> accum), i ascending. */
static void matvec(const int32_t *x, int32_t n_in, int x_frac, const frnn_array *w, int32_t stride, int32_t col0,
                   int32_t n_out, const frnn_array *b, const frnn_fmt *acc_fmt, int64_t *y) {
    int pf = x_frac + w->fmt.frac;
    int32_t i, j;
    for (j = 0; j < n_out; j++) {
        int64_t acc = b && b->data ? frnn_cast(frnn_at(b, col0 + j), b->fmt.frac, acc_fmt) : 0;
        for (i = 0; i < n_in; i++) {
            int64_t p = frnn_cast((int64_t)x[i] * frnn_at(w, i * stride + col0 + j), pf, acc_fmt);
            acc = frnn_cast(acc + p, acc_fmt->frac, acc_fmt);
        }
        y[j] = acc;
    }
}

/* fpga_rnn.tables.index: trunc0(m * N / (2R * 2^F)) + N/2, clamped; log2(2R) = 4 or 3. */
static int32_t table_index(int64_t m, int frac, int32_t log2n, int log2r2) {
    const int64_t lim = (int64_t)1 << 40;
    int32_t n = (int32_t)1 << log2n;
    int s = log2r2 + frac - log2n;
    int64_t k;
    m = m < -lim ? -lim : (m > lim ? lim : m);
    if (s >= 0) {
        int64_t a = (m < 0 ? -m : m) >> s;
        k = m < 0 ? -a : a;
    } else {
        k = m * ((int64_t)1 << -s);
    }
    k += n / 2;
    return (int32_t)(k < 0 ? 0 : (k > n - 1 ? n - 1 : k));
}

static int64_t table_act(const frnn_table *t, int log2r2, int64_t m, int frac, const frnn_fmt *out) {
    int32_t idx = table_index(m, frac, t->log2_size, log2r2);
    return frnn_cast(frnn_at(t->table, idx), t->table->fmt.frac, out);
}


void frnn_activate(uint8_t act, const int64_t *x, int32_t n, const frnn_fmt *in, const frnn_table *t,
                   const frnn_fmt *out, int32_t *y) {
    int32_t i;
    if (act == FRNN_SOFTMAX) {
        /* d = x - max(x) exactly; e = EXP[min(floor(-d N / (8 2^F)), N-1)];
         * y = cast(floor(e 2^fq / sum(e)) -> out), fq = max(out.frac, 0) */
        const int64_t lim = (int64_t)1 << 40;
        int32_t n_tab = (int32_t)1 << t->log2_size;
        int s = FRNN_LOG2R_EXP + in->frac - t->log2_size, fq = out->frac > 0 ? out->frac : 0;
        int64_t mx = x[0], total = 0;
        for (i = 1; i < n; i++) mx = x[i] > mx ? x[i] : mx;
        for (i = 0; i < n; i++) {
            int64_t d = x[i] - mx, neg, k;
            d = d < -lim ? -lim : d;
            neg = -d;
            k = s >= 0 ? neg >> s : neg * ((int64_t)1 << -s);
            k = k > n_tab - 1 ? n_tab - 1 : k;
            y[i] = frnn_at(t->table, (int32_t)k);
            total += y[i];
        }
        if (total < 1) total = 1;
        for (i = 0; i < n; i++) y[i] = (int32_t)frnn_cast(((int64_t)y[i] * ((int64_t)1 << fq)) / total, fq, out);
        return;
    }
    for (i = 0; i < n; i++) {
        if (act == FRNN_LINEAR) y[i] = (int32_t)frnn_cast(x[i], in->frac, out);
        else if (act == FRNN_RELU) y[i] = (int32_t)frnn_cast(x[i] > 0 ? x[i] : 0, in->frac, out);
        else if (act == FRNN_SIGMOID) y[i] = (int32_t)table_act(t, FRNN_LOG2R2_SIGMOID, x[i], in->frac, out);
        else y[i] = (int32_t)table_act(t, FRNN_LOG2R2_TANH, x[i], in->frac, out);
    }
}

void frnn_dense_apply(const frnn_dense *d, const int32_t *x, int x_frac, int32_t *y, int64_t *scratch) {
    matvec(x, d->n_in, x_frac, &d->kernel, d->n_out, 0, d->n_out, &d->bias, &d->accum, scratch);
    frnn_activate(d->activation, scratch, d->n_out, &d->accum, &d->table, &d->result, y);
}

void frnn_window_gather(const int32_t *x, int32_t n, int32_t T, int32_t first, int32_t taps, int32_t dilation,
                        int32_t *win) {
    int32_t k, j;
    for (k = 0; k < taps; k++) {
        const int32_t r = first + k * dilation;
        for (j = 0; j < n; j++) win[k * n + j] = (r >= 0 && r < T) ? x[r * n + j] : 0;
    }
}

void frnn_pool(const int32_t *win, int32_t taps, int32_t n, int is_max, int x_frac, int log2_taps,
               const frnn_fmt *out, int32_t *y) {
    int32_t k, j;
    for (j = 0; j < n; j++) {
        int64_t v = win[j];
        for (k = 1; k < taps; k++) {
            const int64_t w = win[k * n + j];
            v = is_max ? (w > v ? w : v) : v + w;
        }
        y[j] = is_max ? (int32_t)v : (int32_t)frnn_cast(v, x_frac + log2_taps, out);
    }
}

/* exact v = a * 2^-fa + b * 2^-fb as codes with frac max(fa, fb) */
static int64_t add_exact(int64_t a, int fa, int64_t b, int fb, int *f) {
    *f = fa > fb ? fa : fb;
    return a * ((int64_t)1 << (*f - fa)) + b * ((int64_t)1 << (*f - fb));
}

void frnn_recurrent_step(const frnn_recurrent *r, const int32_t *x, int x_frac, int32_t *h, int32_t *c,
                         int64_t *scratch) {
    const int32_t n = r->units, g = r->cell == FRNN_LSTM ? FRNN_GATES_LSTM
                                                       : (r->cell == FRNN_GRU ? FRNN_GATES_GRU : FRNN_GATES_SIMPLE_RNN);
    const frnn_fmt *acc = &r->accum, *gate = &r->gate, *st = &r->state;
    const int fa = acc->frac, gf = gate->frac, sf = st->frac;
    int64_t *a = scratch, *u = scratch + 4 * n, *z = scratch + 8 * n;
    int32_t *tmp = (int32_t *)(scratch + 9 * n); /* n int32 values */
    int32_t j;
    int f;
    matvec(x, r->n_in, x_frac, &r->kernel, g * n, 0, g * n, &r->bias, acc, a);
    if (r->cell == FRNN_SIMPLE_RNN) {
        matvec(h, n, sf, &r->recurrent_kernel, n, 0, n, 0, acc, u);
        for (j = 0; j < n; j++) {
            int64_t p = frnn_cast(a[j] + u[j], fa, acc);
            if (r->activation == FRNN_TANH) h[j] = (int32_t)table_act(&r->tanh, FRNN_LOG2R2_TANH, p, fa, st);
            else h[j] = (int32_t)frnn_cast(r->activation == FRNN_RELU && p < 0 ? 0 : p, fa, st);
        }
    } else if (r->cell == FRNN_LSTM) {
        const int cf = r->cell_fmt.frac;
        if (r->n_proj > 0) { /* h' after 10n scratch values: P sums, then P codes */
            const int32_t np = r->n_proj;
            int64_t *pa = scratch + 10 * n;
            int32_t *hp = (int32_t *)(pa + np);
            matvec(h, n, sf, &r->projection, np, 0, np, 0, &r->proj_accum, pa);
            for (j = 0; j < np; j++) hp[j] = (int32_t)frnn_cast(pa[j], r->proj_accum.frac, &r->projected);
            matvec(hp, np, r->projected.frac, &r->recurrent_kernel, 4 * n, 0, 4 * n, 0, acc, u);
        } else {
            matvec(h, n, sf, &r->recurrent_kernel, 4 * n, 0, 4 * n, 0, acc, u);
        }
        for (j = 0; j < n; j++) {
            int64_t p[4], i_, f_, g_, o_, v, tc;
            int k;
            for (k = 0; k < 4; k++) p[k] = frnn_cast(a[k * n + j] + u[k * n + j], fa, acc);
            i_ = table_act(&r->sigmoid, FRNN_LOG2R2_SIGMOID, p[0], fa, gate);
            f_ = table_act(&r->sigmoid, FRNN_LOG2R2_SIGMOID, p[1], fa, gate);
            g_ = table_act(&r->tanh, FRNN_LOG2R2_TANH, p[2], fa, gate);
            o_ = table_act(&r->sigmoid, FRNN_LOG2R2_SIGMOID, p[3], fa, gate);
            v = add_exact(g_ * i_, 2 * gf, (int64_t)c[j] * f_, cf + gf, &f);
            c[j] = (int32_t)frnn_cast(v, f, &r->cell_fmt);
            tc = table_act(&r->tanh, FRNN_LOG2R2_TANH, c[j], cf, gate);
            h[j] = (int32_t)frnn_cast(o_ * tc, 2 * gf, st);
        }
    } else { /* GRU */
        const frnn_array *br = r->reset_after ? &r->recurrent_bias : 0;
        matvec(h, n, sf, &r->recurrent_kernel, 3 * n, 0, r->reset_after ? 3 * n : 2 * n, br, acc, u);
        for (j = 0; j < n; j++) {
            int64_t pz = frnn_cast(a[j] + u[j], fa, acc), pr = frnn_cast(a[n + j] + u[n + j], fa, acc);
            z[j] = table_act(&r->sigmoid, FRNN_LOG2R2_SIGMOID, pz, fa, gate);
            a[n + j] = table_act(&r->sigmoid, FRNN_LOG2R2_SIGMOID, pr, fa, gate); /* r, reusing a_r */
        }
        if (!r->reset_after) { /* hh = tanh(a_h + U_h cast(r h -> state)) */
            for (j = 0; j < n; j++) tmp[j] = (int32_t)frnn_cast(a[n + j] * h[j], gf + sf, st);
            matvec(tmp, n, sf, &r->recurrent_kernel, 3 * n, 2 * n, n, 0, acc, u + 2 * n);
        }
        for (j = 0; j < n; j++) {
            int64_t ph, hh, v;
            if (r->reset_after) {
                int64_t s = frnn_cast(a[n + j] * u[2 * n + j], gf + fa, acc);
                ph = frnn_cast(a[2 * n + j] + s, fa, acc);
            } else {
                ph = frnn_cast(a[2 * n + j] + u[2 * n + j], fa, acc);
            }
            hh = table_act(&r->tanh, FRNN_LOG2R2_TANH, ph, fa, gate);
            v = add_exact(hh * (((int64_t)1 << gf) - z[j]), 2 * gf, (int64_t)h[j] * z[j], sf + gf, &f);
            tmp[j] = (int32_t)frnn_cast(v, f, st);
        }
        for (j = 0; j < n; j++) h[j] = tmp[j];
    }
}

void frnn_recurrent_run(const frnn_recurrent *r, const int32_t *x, int x_frac, int32_t T, const uint8_t *valid,
                        int zero_masked, int32_t *out, int32_t *h, int32_t *c, int32_t *hn, int32_t *cn,
                        int64_t *scratch) {
    const int32_t n = r->units;
    int32_t s, j;
    for (j = 0; j < n; j++) h[j] = c[j] = 0;
    for (s = 0; s < T; s++) {
        const int32_t t = r->go_backwards ? T - 1 - s : s;
        for (j = 0; j < n; j++) {
            hn[j] = h[j];
            cn[j] = c[j];
        }
        frnn_recurrent_step(r, x + t * r->n_in, x_frac, hn, cn, scratch);
        for (j = 0; j < n; j++) {
            if (valid[t]) {
                h[j] = hn[j];
                c[j] = cn[j];
            }
            if (r->return_sequences) out[s * n + j] = (valid[t] || !zero_masked) ? h[j] : 0;
        }
    }
    if (!r->return_sequences)
        for (j = 0; j < n; j++) out[j] = h[j];
}
