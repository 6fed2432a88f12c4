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

namespace {

// Calls add(j, is, col, row) for every tap (u, v) of the window (u outer, v inner) and every output column j whose
// window has that tap inside the input: for rows i in [is.first, is.last) the tap is input cell
// (i s_h + row, j s_w + v - p_left), with row = u - p_top and col = that column. Taps on padding are never visited
// (they add zero); the loops inside run down the contiguous columns.
template <class Add>
void for_each_tap(const Window2d& g, const OutputSize& o, arma::uword H, arma::uword W, Add&& add) {
    for (int u = 0; u < g.kernel_h; ++u)
        for (int v = 0; v < g.kernel_w; ++v) {
            const Tap t = tap_at(g, o, H, W, u, v);  // average pooling has no dilation: row = u - p_top
            for (arma::uword j = t.cols.first; j < t.cols.last; ++j)
                add(j, t.rows, arma::uword((long long)(j * g.stride_w) + t.col), t.row);
        }
}

}  // namespace

// [avgpool2d_forward]
Tensor4 avgpool2d_forward(const Tensor4& x, const AvgPool2dParams& p) {
    const OutputSize o = checked_size("avgpool2d_forward", x.shape(), p);
    const Window2d& g = p.window;
    const arma::mat divisor = divisors(o, x.h(), x.w(), p);
    Tensor4 out(x.n(), x.c(), o.h, o.w);
    // Plane by plane, one tap (u, v) of every window at a time: out[i,j] += x[i s_h + u - p_top, j s_w + v - p_left]
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            const arma::mat& in = x.plane(n, c);
            arma::mat& sum = out.plane(n, c);  // padded cells add zero
            for_each_tap(g, o, x.h(), x.w(), [&](arma::uword j, TapRange is, arma::uword col, long long row) {
                const double* x_col = in.colptr(col);
                double* sum_col = sum.colptr(j);
                for (arma::uword i = is.first; i < is.last; ++i) sum_col[i] += x_col[(long long)(i * g.stride_h) + row];
            });
            sum /= divisor;  // (A1)
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
    arma::mat share(o.h, o.w);
    for (arma::uword n = 0; n < x_shape.n; ++n)
        for (arma::uword c = 0; c < x_shape.c; ++c) {
            // forward: out[i,j] = (sum of the window's cells) / divisor; each cell's share is dout / divisor
            share = dout.plane(n, c) / divisor;
            arma::mat& d_in = dx.plane(n, c);
            for_each_tap(g, o, x_shape.h, x_shape.w, [&](arma::uword j, TapRange is, arma::uword col, long long row) {
                double* dx_col = d_in.colptr(col);
                const double* share_col = share.colptr(j);
                for (arma::uword i = is.first; i < is.last; ++i)
                    dx_col[(long long)(i * g.stride_h) + row] += share_col[i];  // += : windows overlap
            });
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
