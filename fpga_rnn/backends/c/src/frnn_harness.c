/* Verification harness: runs the generated model on sequences from in.bin and writes
 * out.bin (host gcc, or Cortex-M4 under QEMU with semihosting file I/O).
 * in.bin:  int32 N, T, F, then N * T * F input codes.
 * out.bin: per sequence int32 rc, the outputs of run_sequence, then int32 step_ok
 *          (1: step() by step gave the same outputs, 0: it did not, -1: no step()). */
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

int main(void) {
    FILE *fi = fopen("in.bin", "rb"), *fo = fopen("out.bin", "wb");
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
