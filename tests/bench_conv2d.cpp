// Google Benchmark of the conv2d forms: which is fast, and by how much. Not a test: run it by hand,
//   build/tests/bench_conv2d
// and read the times. It backs the choice of the matrix form as the oracle's default backward.
#include "cnnbp/layers/conv2d.hpp"

#include <benchmark/benchmark.h>

using namespace cnnbp;

namespace {

struct Setup {
    Tensor4 x, w, dout;
    Conv2dParams p;
};

// args: N, C (= F), H (= W), K; stride 1, padding K/2 ("same" for odd K)
Setup make_setup(const benchmark::State& state) {
    const auto n = static_cast<arma::uword>(state.range(0)), c = static_cast<arma::uword>(state.range(1));
    const auto h = static_cast<arma::uword>(state.range(2)), k = static_cast<arma::uword>(state.range(3));
    Setup s;
    s.p.pad = Padding::all(static_cast<int>(k / 2));
    s.x = Tensor4(n, c, h, h);
    s.w = Tensor4(c, c, k, k);
    s.x.data().randu();
    s.w.data().randu();
    s.dout = Tensor4(conv2d_shape("bench", s.x.shape(), s.w.shape(), std::nullopt, s.p).out_shape);
    s.dout.data().randu();
    return s;
}

template <Tensor4 (*Forward)(const Tensor4&, const Tensor4&, const std::optional<arma::vec>&, const Conv2dParams&)>
void forward(benchmark::State& state) {
    const Setup s = make_setup(state);
    for (auto _ : state) benchmark::DoNotOptimize(Forward(s.x, s.w, std::nullopt, s.p));
}

template <Conv2dGrads (*Backward)(const Tensor4&, const Tensor4&, const Tensor4&, const Conv2dParams&)>
void backward(benchmark::State& state) {
    const Setup s = make_setup(state);
    for (auto _ : state) benchmark::DoNotOptimize(Backward(s.dout, s.x, s.w, s.p));
}

void shapes(benchmark::internal::Benchmark* b) {
    b->ArgNames({"N", "C", "H", "K"});
    b->Args({2, 3, 9, 3});     // the size of the property tests
    b->Args({8, 16, 32, 3});   // a small real layer
    b->Args({4, 32, 28, 5});
    b->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(forward<conv2d_forward>)->Apply(shapes);
BENCHMARK(forward<conv2d_forward_matrix>)->Apply(shapes);
BENCHMARK(backward<conv2d_backward_scatter>)->Apply(shapes);
BENCHMARK(backward<conv2d_backward_gather>)->Apply(shapes);
BENCHMARK(backward<conv2d_backward_closed>)->Apply(shapes);
BENCHMARK(backward<conv2d_backward_matrix>)->Apply(shapes);

BENCHMARK_MAIN();
