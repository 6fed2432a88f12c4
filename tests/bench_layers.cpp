// One side of tools/bench-vs-torch.py: times cnnbp's public functions on one layer shape, forward + backward, and
// prints JSON with the process CPU time and the wall-clock time of each repetition and the peak memory. Not a test:
// speed is measured.
//   bench_layers conv2d FORM N C H W F K STRIDE PADDING DILATION GROUPS REPS
//       FORM default: conv2d_forward_fast + conv2d_backward; direct: conv2d_forward alone; scatter, gather, closed,
//       matrix, depthwise: that backward alone (the forms a reader meets, timed like for like)
//   bench_layers maxpool2d|avgpool2d N C H W K STRIDE PADDING REPS
//   bench_layers linear N D M REPS
//   bench_layers dgemm SIZE REPS                                              (the BLAS rate the ratios refer to)
#include "cnnbp/cnnbp.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

using namespace cnnbp;

namespace {

double seconds(clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

long peak_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

// One untimed run (first-touch and library warm-up), then `reps` timed ones; the peak memory before the first run
// (the program and the inputs), after it, and after the last (which adds what the allocator keeps between calls).
void report(int reps, const std::function<void()>& body) {
    const long before = peak_rss_kb();
    body();
    const long one = peak_rss_kb();  // after one forward + backward: what the computation itself needs
    std::vector<double> cpu, wall;
    for (int r = 0; r < reps; ++r) {
        const double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
        body();
        cpu.push_back(seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
        wall.push_back(seconds(CLOCK_MONOTONIC) - wall0);
    }
    const auto list = [](const std::vector<double>& v) {
        for (std::size_t i = 0; i < v.size(); ++i) std::printf("%s%.6f", i ? ", " : "", v[i]);
    };
    std::printf("{\"seconds\": [");
    list(cpu);
    std::printf("], \"wall_seconds\": [");
    list(wall);
    std::printf("], \"inputs_rss_kb\": %ld, \"one_call_rss_kb\": %ld, \"peak_rss_kb\": %ld}\n", before, one,
                peak_rss_kb());
}

Tensor4 random(arma::uword n, arma::uword c, arma::uword h, arma::uword w) {
    Tensor4 t(n, c, h, w);
    t.data().randn();
    return t;
}

int arg(char** argv, int i) { return std::atoi(argv[i]); }

}  // namespace

int main(int argc, char** argv) {
    const std::string op = argc > 1 ? argv[1] : "";
    volatile double sink = 0;
    if (op == "conv2d" && argc == 14) {
        const std::string form = argv[2];
        const int n = arg(argv, 3), c = arg(argv, 4), h = arg(argv, 5), w = arg(argv, 6), f = arg(argv, 7),
                  k = arg(argv, 8), groups = arg(argv, 12), reps = arg(argv, 13);
        Conv2dParams p;
        p.stride_h = p.stride_w = arg(argv, 9);
        p.pad = Padding::all(arg(argv, 10));
        p.dilation_h = p.dilation_w = arg(argv, 11);
        p.groups = groups;
        const Tensor4 x = random(n, c, h, w), wt = random(f, c / groups, k, k);
        const arma::vec b(f, arma::fill::randn);
        const Shape4 out = conv2d_shape("bench", x.shape(), wt.shape(), b, p).out_shape;
        const Tensor4 dout = random(out.n, out.c, out.h, out.w);
        auto forward = form == "default" ? conv2d_forward_fast : form == "direct" ? conv2d_forward : nullptr;
        auto backward = form == "default"     ? conv2d_backward
                        : form == "scatter"   ? conv2d_backward_scatter
                        : form == "gather"    ? conv2d_backward_gather
                        : form == "closed"    ? conv2d_backward_closed
                        : form == "matrix"    ? conv2d_backward_matrix
                        : form == "depthwise" ? conv2d_backward_depthwise
                                              : nullptr;
        if (!forward && !backward) {
            std::fprintf(stderr, "bench_layers: unknown conv2d form %s\n", form.c_str());
            return 2;
        }
        report(reps, [&] {
            if (forward) sink = sink + forward(x, wt, b, p).data()(0);
            if (backward) sink = sink + backward(dout, x, wt, p).dx.data()(0);
        });
        return 0;
    }
    if ((op == "maxpool2d" || op == "avgpool2d") && argc == 10) {
        const int n = arg(argv, 2), c = arg(argv, 3), h = arg(argv, 4), w = arg(argv, 5), k = arg(argv, 6),
                  reps = arg(argv, 9);
        Window2d g;
        g.kernel_h = g.kernel_w = k;
        g.stride_h = g.stride_w = arg(argv, 7);
        g.pad = Padding::all(arg(argv, 8));
        const Tensor4 x = random(n, c, h, w);
        if (op == "maxpool2d") {
            const Tensor4 out = maxpool2d_forward(x, g);
            const Tensor4 dout = random(out.n(), out.c(), out.h(), out.w());
            report(reps, [&] { sink = sink + maxpool2d_forward(x, g).data()(0) +
                                      maxpool2d_backward(dout, x, g).dx.data()(0); });
        } else {
            AvgPool2dParams p;
            p.window = g;
            const Tensor4 out = avgpool2d_forward(x, p);
            const Tensor4 dout = random(out.n(), out.c(), out.h(), out.w());
            report(reps, [&] { sink = sink + avgpool2d_forward(x, p).data()(0) +
                                      avgpool2d_backward(dout, x.shape(), p).dx.data()(0); });
        }
        return 0;
    }
    if (op == "linear" && argc == 6) {
        const arma::uword n = arg(argv, 2), d = arg(argv, 3), m = arg(argv, 4);
        const arma::mat x(n, d, arma::fill::randn), w(m, d, arma::fill::randn), dout(n, m, arma::fill::randn);
        const arma::vec b(m, arma::fill::randn);
        report(arg(argv, 5), [&] { sink = sink + linear_forward(x, w, b)(0) + linear_backward(dout, x, w).dx(0); });
        return 0;
    }
    if (op == "dgemm" && argc == 4) {
        const arma::uword s = arg(argv, 2);
        const arma::mat a(s, s, arma::fill::randn), b(s, s, arma::fill::randn);
        report(arg(argv, 3), [&] { const arma::mat c = a * b; sink = sink + c(0); });
        return 0;
    }
    std::fprintf(stderr, "usage: see the comment at the top of tests/bench_layers.cpp\n");
    return 2;
}
