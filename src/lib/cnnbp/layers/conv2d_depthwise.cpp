// conv2d when every group has one input channel (depthwise, C_g = 1, with any number of filters per group): the
// definition (C1)-(C5) as whole-row loops, at the speed of memory, because the matrix form would be K_h K_w-wide
// products, one per group, that no BLAS runs well. And the oracle's choice between this and the matrix form.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/loops.hpp"
#include "cnnbp/core/parallel.hpp"
#include "cnnbp/layers/conv2d.hpp"

#include <algorithm>

namespace cnnbp {

namespace {

// Calls body(k, tap) for every tap (u, v) of the window (v outer, u inner; k = v K_h + u, its place in w's storage)
// that some window reads inside the input; the loops in body run over exactly tap.rows and tap.cols, so they never test
// for padding, and a tap that reads only padding adds nothing.
template <class Body>
void for_each_tap(const Conv2dShape& s, arma::uword H, arma::uword W, Body&& body) {
    const Window2d& g = s.window;
    for (int v = 0; v < g.kernel_w; ++v)
        for (int u = 0; u < g.kernel_h; ++u) {
            const Tap t = tap_at(g, s.out, H, W, u, v);
            if (t.inside()) body(v * g.kernel_h + u, t);
        }
}

void require_depthwise(const char* fn, const Conv2dShape& s) {
    if (s.c_group != 1) fail(fn, ": each group must have one input channel (C/groups = 1), got ", s.c_group);
}

}  // namespace

// [conv2d_forward_depthwise]
Tensor4 conv2d_forward_depthwise(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                 const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape("conv2d_forward_depthwise", x.shape(), w.shape(), b, p);
    require_depthwise("conv2d_forward_depthwise", s);
    const arma::uword F = w.n(), H = x.h(), W = x.w(), Ho = s.out.h, taps = w.h() * w.w();
    const int s_h = p.stride_h, s_w = p.stride_w;
    Tensor4 out(s.out_shape);
#pragma omp parallel for schedule(static) if (worth_threads(out.size() * taps))
    for (arma::uword nf = 0; nf < x.n() * F; ++nf) {  // plane (n, f) of out reads plane (n, c = f / F_g) of x
        const arma::uword n = nf / F, f = nf % F;
        const double* in = x.plane(n, f / s.f_group).memptr();
        double* o = out.memptr() + nf * Ho * s.out.w;
        if (b) std::fill(o, o + Ho * s.out.w, (*b)(f));
        // (C1): out[n,f,i,j] = b[f] + sum_{u,v} w[f,0,u,v] x_p[n, c, i s_h + u d_h, j s_w + v d_w]
        for_each_tap(s, H, W, [&](arma::uword k, const Tap& t) {
            const double wt = w.memptr()[f * taps + k];
            for (arma::uword j = t.cols.first; j < t.cols.last; ++j) {
                const double* col = in + ((long long)(j * s_w) + t.col) * (long long)H;  // x column
                double* oj = o + j * Ho;
                for (arma::uword i = t.rows.first; i < t.rows.last; ++i) oj[i] += wt * col[(long long)(i * s_h) + t.row];
            }
        });
    }
    return out;
}
// [conv2d_forward_depthwise]

// [conv2d_backward_depthwise]
Conv2dGrads conv2d_backward_depthwise(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                      const Conv2dParams& p) {
    const Conv2dShape s = conv2d_backward_shape("conv2d_backward_depthwise", dout, x, w, p);
    require_depthwise("conv2d_backward_depthwise", s);
    const arma::uword C = x.c(), F = w.n(), H = x.h(), W = x.w(), Ho = s.out.h, taps = w.h() * w.w();
    const int s_h = p.stride_h, s_w = p.stride_w;
    Tensor4 dx(x.shape()), dw(w.shape());
    const bool threads = worth_threads(dout.size() * taps);
    // (C3): dx[n,c] += w[f,0,u,v] dout[n,f,i,j] at (i s_h + u d_h, j s_w + v d_w), for the F_g filters f of group c
#pragma omp parallel for schedule(static) if (threads)
    for (arma::uword nc = 0; nc < x.n() * C; ++nc) {
        const arma::uword n = nc / C, c = nc % C;
        double* d_in = dx.memptr() + nc * H * W;
        for (arma::uword f = c * s.f_group; f < (c + 1) * s.f_group; ++f) {
            const double* d_o = dout.plane(n, f).memptr();
            for_each_tap(s, H, W, [&](arma::uword k, const Tap& t) {
                const double wt = w.memptr()[f * taps + k];
                for (arma::uword j = t.cols.first; j < t.cols.last; ++j) {
                    double* col = d_in + ((long long)(j * s_w) + t.col) * (long long)H;
                    const double* dj = d_o + j * Ho;
                    for (arma::uword i = t.rows.first; i < t.rows.last; ++i)
                        col[(long long)(i * s_h) + t.row] += wt * dj[i];  // += : windows overlap
                }
            });
        }
    }
    // (C4): dw[f,0,u,v] = sum over n, i, j of x_p[n, c, ...] dout[n,f,i,j]; one filter per thread, n in order
#pragma omp parallel for schedule(static) if (threads)
    for (arma::uword f = 0; f < F; ++f) {
        const arma::uword c = f / s.f_group;
        for (arma::uword n = 0; n < x.n(); ++n) {
            const double* in = x.plane(n, c).memptr();
            const double* d_o = dout.plane(n, f).memptr();
            for_each_tap(s, H, W, [&](arma::uword k, const Tap& t) {
                double sum = 0.0;
                for (arma::uword j = t.cols.first; j < t.cols.last; ++j)
                    sum += strided_dot(d_o + j * Ho + t.rows.first,
                                       in + ((long long)(j * s_w) + t.col) * (long long)H +
                                           ((long long)(t.rows.first * s_h) + t.row),
                                       t.rows.last - t.rows.first, s_h);
                dw.memptr()[f * taps + k] += sum;
            });
        }
    }
    return {dx, dw, bias_gradient(dout)};  // (C5)
}
// [conv2d_backward_depthwise]

Tensor4 conv2d_forward_fast(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                            const Conv2dParams& p) {
    return w.c() == 1 ? conv2d_forward_depthwise(x, w, b, p) : conv2d_forward_matrix(x, w, b, p);
}

Conv2dGrads conv2d_backward(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    return w.c() == 1 ? conv2d_backward_depthwise(dout, x, w, p) : conv2d_backward_matrix(dout, x, w, p);
}

}  // namespace cnnbp
