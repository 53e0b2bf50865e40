/* fpga-rnn embedded C runtime: the golden model's arithmetic (fpga_rnn.golden) in
 * portable, allocation-free C99, integer operations only. Generated model files
 * (fpga_rnn_model.c) describe their layers with the structs below. */
#ifndef FRNN_RT_H_
#define FRNN_RT_H_

#include <stdint.h>

#include "frnn_codes.h" /* enum frnn_rounding/overflow/act/cell, FRNN_LOG2R2_*: generated */

/* Return codes of the model API (negative: nothing was computed). */
#define FRNN_OK 0
#define FRNN_ERR_LENGTH (-1)      /* sequence length < 1 or > FRNN_MAX_TIMESTEPS */
#define FRNN_ERR_TOKEN (-2)       /* token id outside [0, vocabulary) */
#define FRNN_ERR_UNSUPPORTED (-3) /* step() on a model that needs the whole sequence */
#define FRNN_ERR_INPUT (-4)       /* input code outside the input format's range */
#define FRNN_ERR_STATE (-5)       /* set_state() code outside its state format's range */


/* A fixed-point format: codes m represent m * 2^-frac (ap_fixed<width, width-frac>). */
typedef struct {
    int8_t width;
    int8_t frac;
    uint8_t is_signed;
    uint8_t rounding; /* enum frnn_rounding */
    uint8_t overflow; /* enum frnn_overflow */
} frnn_fmt;

/* A constant array of codes (weights, biases, tables) stored in 1, 2 or 4 bytes. */
typedef struct {
    const void *data;
    uint8_t bytes;
    frnn_fmt fmt;
} frnn_array;

typedef struct {
    const frnn_array *table; /* entries in table->fmt */
    int32_t log2_size;
} frnn_table;

typedef struct {
    uint8_t cell; /* enum frnn_cell */
    uint8_t activation; /* SimpleRNN: FRNN_TANH, FRNN_RELU or FRNN_LINEAR */
    uint8_t reset_after;
    uint8_t go_backwards;
    uint8_t return_sequences;
    int32_t n_in, units;
    frnn_array kernel, recurrent_kernel, bias, recurrent_bias; /* recurrent_bias.data may be 0 */
    frnn_fmt accum, gate, state, cell_fmt;
    frnn_table sigmoid, tanh;
    /* projected LSTM (n_proj > 0): U multiplies h' = cast(cast(Qo^T h -> proj_accum)
     * -> projected); projection is Qo (units x n_proj) */
    int32_t n_proj;
    frnn_array projection;
    frnn_fmt proj_accum, projected;
} frnn_recurrent;

typedef struct {
    int32_t n_in, n_out;
    uint8_t activation; /* enum frnn_act */
    frnn_array kernel, bias; /* bias.data may be 0 */
    frnn_fmt accum, result;
    frnn_table table; /* sigmoid, tanh or exp table for softmax */
} frnn_dense;

int64_t frnn_cast(int64_t v, int frac_in, const frnn_fmt *f);
int32_t frnn_at(const frnn_array *a, int32_t i);
int frnn_in_range(int64_t code, const frnn_fmt *f);

/* y = cast(act(W x + b)) for one vector; x has x_frac fractional bits; scratch: n_out. */
void frnn_dense_apply(const frnn_dense *d, const int32_t *x, int x_frac, int32_t *y, int64_t *scratch);
/* One recurrent step: a = W x + b (accum), updates h (and c for LSTM) in place.
 * scratch needs 10 * units + 2 * n_proj int64 values. */
void frnn_recurrent_step(const frnn_recurrent *r, const int32_t *x, int x_frac, int32_t *h, int32_t *c,
                         int64_t *scratch);
/* A recurrent layer over T steps of x (rows of n_in codes): state starts at zero; a
 * step with valid[t] == 0 keeps the state and outputs it (or zero if zero_masked);
 * go_backwards runs from the end, outputs in processing order. h, c, hn, cn: units. */
void frnn_recurrent_run(const frnn_recurrent *r, const int32_t *x, int x_frac, int32_t T, const uint8_t *valid,
                        int zero_masked, int32_t *out, int32_t *h, int32_t *c, int32_t *hn, int32_t *cn,
                        int64_t *scratch);
/* Window `first` of a window layer: `taps` rows of x (T rows of n codes) `dilation`
 * apart from row `first` (negative or past T: zero padding), tap-major into win. */
void frnn_window_gather(const int32_t *x, int32_t n, int32_t T, int32_t first, int32_t taps, int32_t dilation,
                        int32_t *win);
/* Pooling of one window (taps rows of n codes, x_frac fractional bits): is_max, the
 * largest code; else the exact sum with log2_taps more fractional bits cast into out. */
void frnn_pool(const int32_t *win, int32_t taps, int32_t n, int is_max, int x_frac, int log2_taps,
               const frnn_fmt *out, int32_t *y);
/* The element-wise (or softmax) activation of n accumulator codes into out. */
void frnn_activate(uint8_t act, const int64_t *x, int32_t n, const frnn_fmt *in, const frnn_table *t,
                   const frnn_fmt *out, int32_t *y);

#endif
