// C-simulation driver of the HLS route's AXI top (frnn_axi.cpp), with g++ or Vitis
// HLS's csim: reads input words, one per line "<hex data> <last>" (a line "@ <hex>"
// sets the control register for the next sequence), calls frnn_axi once per
// sequence, writes the output words the same way, and prints the registers as
// "<name> <hex>" lines.
#include <cstdio>

#include "frnn_axi.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s IN_WORDS OUT_WORDS\n", argv[0]);
        return 2;
    }
    std::FILE *fi = std::fopen(argv[1], "r");
    std::FILE *fo = std::fopen(argv[2], "w");
    if (!fi || !fo) {
        std::fprintf(stderr, "cannot open %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    hls::stream<frnn_word_t> in, out;
    frnn_reg_t control = 0, r[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    char tag[32];
    unsigned long long data;
    int last, calls = 0;
    while (std::fscanf(fi, "%31s", tag) == 1) {
        if (tag[0] == '@') { // "@ <hex>": control
            if (std::fscanf(fi, "%llx", &data) != 1)
                return 2;
            control = data;
            continue;
        }
        if (std::sscanf(tag, "%llx", &data) != 1 || std::fscanf(fi, "%d", &last) != 1) {
            std::fprintf(stderr, "bad input line at %s\n", tag);
            return 2;
        }
        frnn_word_t w;
        w.data = data;
        w.keep = -1;
        w.strb = -1;
        w.last = last != 0;
        in.write(w);
        if (last) {
            frnn_axi(in, out, control, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7]);
            control = 0;
            calls++;
        }
    }
    while (!out.empty()) {
        const frnn_word_t w = out.read();
        std::fprintf(fo, "%llx %d\n", (unsigned long long)w.data.to_uint64(), (int)w.last);
    }
    const char *names[8] = {"magic", "format", "status", "sequences", "digest_lo", "digest_hi", "in_shape", "out_shape"};
    for (int i = 0; i < 8; i++)
        std::printf("%s %x\n", names[i], (unsigned)r[i]);
    std::fclose(fo);
    std::fclose(fi);
    std::fprintf(stderr, "%d sequences\n", calls);
    return 0;
}
