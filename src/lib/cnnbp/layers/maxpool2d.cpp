#include "cnnbp/layers/maxpool2d.hpp"

#include "cnnbp/core/error.hpp"

#include <cmath>
#include <limits>

namespace cnnbp {

namespace {

void check_dout(const char* fn, const Tensor4& dout, const Tensor4& x, const OutputSize& o) {
    const Shape4 want{x.n(), x.c(), o.h, o.w};
    if (!(dout.shape() == want)) fail(fn, ": dout has shape ", dout.shape(), " but the output shape is ", want);
}

OutputSize checked_size(const char* fn, const Tensor4& x, const Window2d& g) {
    if (x.size() == 0) fail(fn, ": x has shape ", x.shape(), "; every dimension must be >= 1");
    return pool_output_size(fn, g, x.h(), x.w());
}

}  // namespace

// [maxpool2d_winner]
Winner maxpool2d_winner(const Tensor4& x, arma::uword n, arma::uword c, arma::uword i, arma::uword j,
                        const Window2d& g) {
    double best = -std::numeric_limits<double>::infinity();  // a padded cell: it never wins
    Winner win{arma::uword(-1), arma::uword(-1)};
    for (int u = 0; u < g.kernel_h; ++u) {  // row-major window order: u, then v
        const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
        if (h < 0 || h >= (long long)x.h()) continue;
        for (int v = 0; v < g.kernel_w; ++v) {
            const long long w = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
            if (w < 0 || w >= (long long)x.w()) continue;
            const double value = x.at(n, c, h, w);
            // strictly greater: on a tie the earlier tap keeps the win; a NaN wins (the last one), as in PyTorch
            if (value > best || std::isnan(value) || win.h == arma::uword(-1)) {
                best = value;
                win = {arma::uword(h), arma::uword(w)};
            }
        }
    }
    return win;  // pool_output_size() guarantees at least one tap on the input
}
// [maxpool2d_winner]

// [maxpool2d_forward]
Tensor4 maxpool2d_forward(const Tensor4& x, const Window2d& g) {
    const OutputSize o = checked_size("maxpool2d_forward", x, g);
    Tensor4 out(x.n(), x.c(), o.h, o.w);
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword i = 0; i < o.h; ++i)
                for (arma::uword j = 0; j < o.w; ++j) {
                    const Winner win = maxpool2d_winner(x, n, c, i, j, g);
                    out.at(n, c, i, j) = x.at(n, c, win.h, win.w);
                }
    return out;
}
// [maxpool2d_forward]

// [maxpool2d_backward_scatter]
Pool2dGrads maxpool2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Window2d& g) {
    const OutputSize o = checked_size("maxpool2d_backward_scatter", x, g);
    check_dout("maxpool2d_backward_scatter", dout, x, o);
    Tensor4 dx(x.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword i = 0; i < o.h; ++i)
                for (arma::uword j = 0; j < o.w; ++j) {
                    // forward: out[n,c,i,j] = x[n,c,winner]; d out / d x is 1 at the winner, 0 elsewhere
                    const Winner win = maxpool2d_winner(x, n, c, i, j, g);
                    dx.at(n, c, win.h, win.w) += dout.at(n, c, i, j);  // += : a pixel can win several windows
                }
    return {dx};
}
// [maxpool2d_backward_scatter]

// [maxpool2d_backward_gather]
Pool2dGrads maxpool2d_backward_gather(const Tensor4& dout, const Tensor4& x, const Window2d& g) {
    const OutputSize o = checked_size("maxpool2d_backward_gather", x, g);
    check_dout("maxpool2d_backward_gather", dout, x, o);
    Tensor4 dx(x.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword h = 0; h < x.h(); ++h)
                for (arma::uword w = 0; w < x.w(); ++w) {
                    // The pixel's view: every window (i, j) that has (h, w) under one of its taps, and that it wins.
                    double sum = 0.0;
                    for (int u = 0; u < g.kernel_h; ++u) {
                        const long long i = window_at((long long)h + g.pad.top - u * g.dilation_h, g.stride_h, o.h);
                        if (i < 0) continue;
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long j = window_at((long long)w + g.pad.left - v * g.dilation_w, g.stride_w, o.w);
                            if (j < 0) continue;
                            const Winner win = maxpool2d_winner(x, n, c, i, j, g);
                            if (win.h == h && win.w == w) sum += dout.at(n, c, i, j);
                        }
                    }
                    dx.at(n, c, h, w) = sum;
                }
    return {dx};
}
// [maxpool2d_backward_gather]

Pool2dGrads maxpool2d_backward(const Tensor4& dout, const Tensor4& x, const Window2d& g) {
    return maxpool2d_backward_scatter(dout, x, g);
}

}  // namespace cnnbp
