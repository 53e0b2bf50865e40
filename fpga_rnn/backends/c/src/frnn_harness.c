/* Verification harness: runs the generated model on sequences from in.bin and writes
 * out.bin (host gcc, or Cortex-M4 under QEMU with semihosting file I/O).
 * in.bin:  int32 N, T, F, then N * T * F input codes.
 * out.bin: per sequence int32 rc, the outputs of run_sequence, then int32 step_ok
 *          (1: step() by step gave the same outputs, 0: it did not, -1: no step()).
 * Streams instead, when stream.bin exists (no length limit: read sample by sample):
 * stream.bin:     int32 N, T, F, then per stream and sample int32 flags, F input codes;
 *                 flags (before the sample): 1 save the state, reset, restore it;
 *                 2 reset; 4 set_state with a code out of range (must be refused).
 * stream_out.bin: per sample int32 status (0, or the failing return code, or -100 if
 *                 the bad set_state was not refused), then FRNN_OUTPUT_SIZE codes. */
#include <stdio.h>

#include "fpga_rnn_model.h"

#define OUT_ROWS (FRNN_OUTPUT_PER_STEP ? FRNN_MAX_TIMESTEPS : 1)

static int32_t x[FRNN_MAX_TIMESTEPS * FRNN_INPUT_FEATURES];
static int32_t y[OUT_ROWS * FRNN_OUTPUT_SIZE];
static int32_t ys[OUT_ROWS * FRNN_OUTPUT_SIZE];
static fpga_rnn_state state;

static int32_t step_all(int32_t T) {
    int32_t t, j, n = FRNN_OUTPUT_PER_STEP ? T * FRNN_OUTPUT_SIZE : FRNN_OUTPUT_SIZE;
    if (!FRNN_CAN_STEP) return -1;
    fpga_rnn_model_reset(&state);
    for (t = 0; t < T; t++) {
        int32_t *dst = FRNN_OUTPUT_PER_STEP ? ys + t * FRNN_OUTPUT_SIZE : ys;
        if (fpga_rnn_model_step(&state, x + t * FRNN_INPUT_FEATURES, dst) != FRNN_OK) return 0;
    }
    for (j = 0; j < n; j++)
        if (ys[j] != y[j]) return 0;
    return 1;
}

static int32_t st[FRNN_STATE_SIZE + 1], st_bad[FRNN_STATE_SIZE + 1];

/* The state operations a sample's flags ask for; 0, or what failed. */
static int32_t state_ops(int32_t flags) {
    int32_t rc;
    if (flags & 1) {
        if ((rc = fpga_rnn_model_get_state(&state, st)) != FRNN_OK) return rc;
        fpga_rnn_model_reset(&state);
        if ((rc = fpga_rnn_model_set_state(&state, st)) != FRNN_OK) return rc;
    }
    if (flags & 2) fpga_rnn_model_reset(&state);
    if ((flags & 4) && FRNN_STATE_SIZE > 0) {
        if ((rc = fpga_rnn_model_get_state(&state, st_bad)) != FRNN_OK) return rc;
        st_bad[0] = INT32_MAX; /* outside any state format narrower than 32 bits */
        if (fpga_rnn_model_set_state(&state, st_bad) != FRNN_ERR_STATE) return -100;
    }
    return 0;
}

static int run_streams(FILE *fi) {
    FILE *fo = fopen("stream_out.bin", "wb");
    int32_t hdr[3], i, t, flags, status;
    if (!fo || fread(hdr, sizeof hdr[0], 3, fi) != 3 || hdr[2] != FRNN_INPUT_FEATURES) {
        printf("frnn_harness: cannot read stream.bin / write stream_out.bin\n");
        return 2;
    }
    for (i = 0; i < hdr[0]; i++) {
        fpga_rnn_model_reset(&state);
        for (t = 0; t < hdr[1]; t++) {
            if (fread(&flags, sizeof flags, 1, fi) != 1) return 3;
            if (fread(x, sizeof x[0], FRNN_INPUT_FEATURES, fi) != FRNN_INPUT_FEATURES) return 3;
            status = state_ops(flags);
            if (status == 0) status = fpga_rnn_model_step(&state, x, y);
            fwrite(&status, sizeof status, 1, fo);
            fwrite(y, sizeof y[0], FRNN_OUTPUT_SIZE, fo);
        }
    }
    fclose(fi);
    fclose(fo);
    printf("frnn_harness: %ld streams\n", (long)hdr[0]);
    return 0;
}

int main(void) {
    FILE *fs = fopen("stream.bin", "rb");
    FILE *fi, *fo;
    if (fs) return run_streams(fs);
    fi = fopen("in.bin", "rb");
    fo = fopen("out.bin", "wb");
    int32_t hdr[3], i, n_out;
    if (!fi || !fo || fread(hdr, sizeof hdr[0], 3, fi) != 3 || hdr[2] != FRNN_INPUT_FEATURES) {
        printf("frnn_harness: cannot read in.bin / write out.bin\n");
        return 2;
    }
    n_out = (FRNN_OUTPUT_PER_STEP ? hdr[1] : 1) * FRNN_OUTPUT_SIZE;
    for (i = 0; i < hdr[0]; i++) {
        int32_t rc, ok = 0;
        size_t n_in = (size_t)hdr[1] * FRNN_INPUT_FEATURES, j;
        int too_long = hdr[1] > FRNN_MAX_TIMESTEPS;
        for (j = 0; j < n_in; j++) { /* a too long sequence is read past, not stored */
            int32_t v;
            if (fread(&v, sizeof v, 1, fi) != 1) return 3;
            if (!too_long) x[j] = v;
        }
        rc = fpga_rnn_model_run_sequence(x, hdr[1], y); /* must refuse a too long one */
        if (rc == FRNN_OK) ok = step_all(hdr[1]);
        fwrite(&rc, sizeof rc, 1, fo);
        fwrite(y, sizeof y[0], (size_t)n_out, fo);
        fwrite(&ok, sizeof ok, 1, fo);
    }
    fclose(fi);
    fclose(fo);
    printf("frnn_harness: %ld sequences\n", (long)hdr[0]);
    return 0;
}
