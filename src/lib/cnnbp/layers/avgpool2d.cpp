#include "cnnbp/layers/avgpool2d.hpp"

#include "cnnbp/core/error.hpp"

#include <algorithm>

namespace cnnbp {

namespace {

OutputSize checked_size(const char* fn, const Shape4& x, const AvgPool2dParams& p) {
    if (x.size() == 0) fail(fn, ": x has shape ", x, "; every dimension must be >= 1");
    if (p.window.dilation_h != 1 || p.window.dilation_w != 1)
        fail(fn, ": average pooling has no dilation; dilation must be 1, got (", p.window.dilation_h, ",",
             p.window.dilation_w, ")");
    return pool_output_size(fn, p.window, x.h, x.w);
}

void check_dout(const char* fn, const Tensor4& dout, const Shape4& x, const OutputSize& o) {
    const Shape4 want{x.n, x.c, o.h, o.w};
    if (!(dout.shape() == want)) fail(fn, ": dout has shape ", dout.shape(), " but the output shape is ", want);
}

// The input positions [first, last) that window i covers along one axis.
struct Span {
    long long first, last;
};
Span window_span(arma::uword i, arma::uword n, int kernel, int stride, int pad_lo) {
    const long long start = (long long)i * stride - pad_lo;
    return {std::max(start, 0LL), std::min(start + kernel, (long long)n)};
}

}  // namespace

// [avgpool2d_divisor]
double avgpool2d_divisor(arma::uword i, arma::uword j, arma::uword H, arma::uword W, const AvgPool2dParams& p) {
    const Window2d& g = p.window;
    // Along one axis window i starts at input position i s - p_lo. Cells within the padded input run up to
    // n + p_hi; cells within the input itself run from 0 to n.
    auto cells = [&](arma::uword i, arma::uword n, int k, int s, int lo, int hi) {
        const long long start = (long long)i * s - lo;
        const long long end = std::min(start + k, (long long)n + hi);  // a ceil_mode overhang is not counted
        return p.count_include_pad ? end - start : std::min(end, (long long)n) - std::max(start, 0LL);
    };
    return double(cells(i, H, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom) *
                  cells(j, W, g.kernel_w, g.stride_w, g.pad.left, g.pad.right));
}
// [avgpool2d_divisor]

namespace {

// The divisor of every window, (A2): the same for every plane, so computed once.
arma::mat divisors(const OutputSize& o, arma::uword H, arma::uword W, const AvgPool2dParams& p) {
    arma::mat d(o.h, o.w);
    for (arma::uword j = 0; j < o.w; ++j)
        for (arma::uword i = 0; i < o.h; ++i) d.at(i, j) = avgpool2d_divisor(i, j, H, W, p);
    return d;
}

}  // namespace

// [avgpool2d_forward]
Tensor4 avgpool2d_forward(const Tensor4& x, const AvgPool2dParams& p) {
    const OutputSize o = checked_size("avgpool2d_forward", x.shape(), p);
    const Window2d& g = p.window;
    const arma::mat divisor = divisors(o, x.h(), x.w(), p);
    Tensor4 out(x.n(), x.c(), o.h, o.w);
    // Plane by plane: the windows of one plane read neighbouring memory.
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword i = 0; i < o.h; ++i) {
                const Span rows = window_span(i, x.h(), g.kernel_h, g.stride_h, g.pad.top);
                for (arma::uword j = 0; j < o.w; ++j) {
                    const Span cols = window_span(j, x.w(), g.kernel_w, g.stride_w, g.pad.left);
                    double sum = 0.0;  // padded cells add zero
                    for (long long h = rows.first; h < rows.last; ++h)
                        for (long long w = cols.first; w < cols.last; ++w) sum += x.at(n, c, h, w);
                    out.at(n, c, i, j) = sum / divisor.at(i, j);
                }
            }
    return out;
}
// [avgpool2d_forward]

// [avgpool2d_backward_scatter]
Pool2dGrads avgpool2d_backward_scatter(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p) {
    const OutputSize o = checked_size("avgpool2d_backward_scatter", x_shape, p);
    check_dout("avgpool2d_backward_scatter", dout, x_shape, o);
    const Window2d& g = p.window;
    const arma::mat divisor = divisors(o, x_shape.h, x_shape.w, p);
    Tensor4 dx(x_shape);
    for (arma::uword n = 0; n < x_shape.n; ++n)
        for (arma::uword c = 0; c < x_shape.c; ++c)
            for (arma::uword i = 0; i < o.h; ++i) {
                // forward: out[i,j] = (sum of the window's cells) / divisor; each cell's share is 1 / divisor
                const Span rows = window_span(i, x_shape.h, g.kernel_h, g.stride_h, g.pad.top);
                for (arma::uword j = 0; j < o.w; ++j) {
                    const Span cols = window_span(j, x_shape.w, g.kernel_w, g.stride_w, g.pad.left);
                    const double share = dout.at(n, c, i, j) / divisor.at(i, j);
                    for (long long h = rows.first; h < rows.last; ++h)
                        for (long long w = cols.first; w < cols.last; ++w)
                            dx.at(n, c, h, w) += share;  // += : windows overlap
                }
            }
    return {dx};
}
// [avgpool2d_backward_scatter]

// [avgpool2d_backward_gather]
Pool2dGrads avgpool2d_backward_gather(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p) {
    const OutputSize o = checked_size("avgpool2d_backward_gather", x_shape, p);
    check_dout("avgpool2d_backward_gather", dout, x_shape, o);
    const Window2d& g = p.window;
    Tensor4 dx(x_shape);
    for (arma::uword n = 0; n < x_shape.n; ++n)
        for (arma::uword c = 0; c < x_shape.c; ++c)
            for (arma::uword h = 0; h < x_shape.h; ++h)
                for (arma::uword w = 0; w < x_shape.w; ++w) {
                    // The pixel's view: the windows with (h, w) under tap (u, v), each contributing its share.
                    double sum = 0.0;
                    for (int u = 0; u < g.kernel_h; ++u) {
                        const long long i = window_at((long long)h + g.pad.top - u, g.stride_h, o.h);
                        if (i < 0) continue;
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long j = window_at((long long)w + g.pad.left - v, g.stride_w, o.w);
                            if (j < 0) continue;
                            sum += dout.at(n, c, i, j) / avgpool2d_divisor(i, j, x_shape.h, x_shape.w, p);
                        }
                    }
                    dx.at(n, c, h, w) = sum;
                }
    return {dx};
}
// [avgpool2d_backward_gather]

Pool2dGrads avgpool2d_backward(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p) {
    return avgpool2d_backward_scatter(dout, x_shape, p);
}

}  // namespace cnnbp
