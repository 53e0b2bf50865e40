// The simulated board: frnn_board (link, UART and core) in Verilator behind a
// pseudo-terminal. It prints the terminal's path on its first line; a host opens
// that path with pyserial and talks to the design byte for byte, each byte sent
// and received as UART bits on the design's pins.
//
// Usage: frnn_board_sim CLKS_PER_BIT. Ends when its standard input closes, printing
// "cycles N": the clock cycles simulated (none pass while the board is idle).
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>

#include "Vfrnn_board_sim.h"
#include "verilated.h"

namespace {

// Drives the design's uart_rx pin with queued bytes, 8N1.
struct Sender {
  int cpb;
  std::deque<uint8_t> queue;
  int bit = -1;  // -1: idle; 0: start bit; 1..8: data; 9: stop bit
  int count = 0;
  uint8_t byte = 0;
  bool busy() const { return bit >= 0 || !queue.empty(); }
  int line() {  // the pin's level for this cycle
    if (bit < 0) {
      if (queue.empty()) return 1;
      byte = queue.front();
      queue.pop_front();
      bit = 0;
      count = 0;
    }
    int level = bit == 0 ? 0 : bit <= 8 ? (byte >> (bit - 1)) & 1 : 1;
    if (++count == cpb) {
      count = 0;
      if (++bit == 10) bit = -1;
    }
    return level;
  }
};

// Decodes the design's uart_tx pin, sampling each bit at its middle.
struct Receiver {
  int cpb;
  int bit = -1;
  int count = 0;
  uint8_t byte = 0;
  bool busy() const { return bit >= 0; }
  bool sample(int level, uint8_t* out) {
    if (bit < 0) {
      if (level == 0) {
        bit = 0;
        count = cpb / 2;
      }
      return false;
    }
    if (--count > 0) return false;
    count = cpb;
    if (bit == 0 && level != 0) {  // a glitch, not a start bit
      bit = -1;
      return false;
    }
    if (bit >= 1 && bit <= 8) byte = (byte >> 1) | (level << 7);
    if (bit == 9) {
      bit = -1;
      *out = byte;
      return level == 1;  // a framing error drops the byte
    }
    ++bit;
    return false;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CLKS_PER_BIT\n", argv[0]);
    return 2;
  }
  const int cpb = atoi(argv[1]);
  if (cpb < 4) {
    fprintf(stderr, "CLKS_PER_BIT must be at least 4\n");
    return 2;
  }
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) || unlockpt(master)) {
    perror("posix_openpt");
    return 1;
  }
  const char* name = ptsname(master);
  // Hold the terminal's other side open ourselves, so a host that closes it and
  // opens it again does not hang the master up; raw mode, or the line discipline
  // would echo the host's bytes back to it.
  int keep = open(name, O_RDWR | O_NOCTTY);
  struct termios tio;
  if (keep < 0 || tcgetattr(keep, &tio)) {
    perror("pty");
    return 1;
  }
  cfmakeraw(&tio);
  tcsetattr(keep, TCSANOW, &tio);
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  auto* ctx = new VerilatedContext;
  ctx->commandArgs(argc, argv);
  auto* top = new Vfrnn_board_sim{ctx};
  Sender send{cpb};
  Receiver recv{cpb};
  top->clk = 0;
  top->reset = 0;
  top->uart_rx = 1;
  top->eval();
  for (int i = 0; i < 1024; ++i) {  // past the design's power-on reset before any byte
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  printf("%s\n", name);
  fflush(stdout);
  uint8_t buf[4096];
  uint64_t cycle = 0;
  int tx_idle = 0;
  for (;;) {
    if (cycle % cpb == 0 && send.queue.size() < sizeof buf) {
      ssize_t n = read(master, buf, sizeof buf);
      for (ssize_t i = 0; i < n; ++i) send.queue.push_back(buf[i]);
    }
    const bool busy = (top->status & 1) || send.busy() || recv.busy() || tx_idle < 2 * cpb;
    if (!busy) {  // nothing in flight: sleep until the host writes or goes away
      struct pollfd fds[2] = {{master, POLLIN, 0}, {0, POLLIN, 0}};
      poll(fds, 2, 500);
      if (fds[1].revents) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n <= 0) break;  // our parent closed stdin: stop
      }
      if (fds[0].revents & POLLIN) {
        ssize_t n = read(master, buf, sizeof buf);
        for (ssize_t i = 0; i < n; ++i) send.queue.push_back(buf[i]);
      }
      if (!send.busy()) continue;
    }
    top->uart_rx = send.line();
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
    ++cycle;
    uint8_t byte;
    tx_idle = top->uart_tx ? tx_idle + 1 : 0;
    if (recv.sample(top->uart_tx, &byte)) {
      if (write(master, &byte, 1) < 0 && errno != EAGAIN) perror("write");
    }
  }
  printf("cycles %llu\n", static_cast<unsigned long long>(cycle));
  fflush(stdout);
  top->final();
  delete top;
  delete ctx;
  return 0;
}
