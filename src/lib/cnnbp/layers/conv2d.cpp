#include "cnnbp/layers/conv2d.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/im2col.hpp"
#include "cnnbp/layers/pad2d.hpp"

namespace cnnbp {

Conv2dShape conv2d_shape(const char* fn, const Shape4& x, const Shape4& w, const std::optional<arma::vec>& b,
                         const Conv2dParams& p) {
    if (x.size() == 0) fail(fn, ": x has shape ", x, "; every dimension must be >= 1");
    if (w.size() == 0) fail(fn, ": w has shape ", w, "; every dimension must be >= 1");
    if (p.groups < 1) fail(fn, ": groups must be >= 1, got ", p.groups);
    const arma::uword groups = static_cast<arma::uword>(p.groups);
    if (x.c % groups != 0) fail(fn, ": groups = ", groups, " does not divide the input channels C = ", x.c);
    if (w.n % groups != 0) fail(fn, ": groups = ", groups, " does not divide the filters F = ", w.n);
    if (w.c != x.c / groups)
        fail(fn, ": w has shape ", w, " but with C = ", x.c, " and groups = ", groups, " it must have ",
             x.c / groups, " channels (C/groups), got ", w.c);
    if (b && b->n_elem != w.n) fail(fn, ": b has ", b->n_elem, " elements but there are F = ", w.n, " filters");
    Window2d g{static_cast<int>(w.h), static_cast<int>(w.w), p.stride_h, p.stride_w, p.pad, p.dilation_h,
               p.dilation_w};
    const OutputSize o = output_size(fn, g, x.h, x.w);
    return {g, o, x.c / groups, w.n / groups, {x.n, w.n, o.h, o.w}};
}

arma::vec bias_gradient(const Tensor4& dout) {
    arma::vec db(dout.c(), arma::fill::zeros);
    for (arma::uword n = 0; n < dout.n(); ++n)
        for (arma::uword f = 0; f < dout.c(); ++f) db(f) += arma::accu(dout.plane(n, f));
    return db;
}

namespace {

// Validates the backward's inputs: the forward's shapes, and dout shaped like the output.
Conv2dShape backward_shape(const char* fn, const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                           const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape(fn, x.shape(), w.shape(), std::nullopt, p);
    if (!(dout.shape() == s.out_shape))
        fail(fn, ": dout has shape ", dout.shape(), " but the output shape is ", s.out_shape);
    return s;
}

}  // namespace

// [conv2d_forward]
Tensor4 conv2d_forward(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                       const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape("conv2d_forward", x.shape(), w.shape(), b, p);
    const Window2d& g = s.window;
    const long long H = x.h(), W = x.w();
    Tensor4 out(s.out_shape);
    for (arma::uword n = 0; n < out.n(); ++n)
        for (arma::uword f = 0; f < out.c(); ++f) {
            const arma::uword c0 = (f / s.f_group) * s.c_group;  // first channel of f's group
            for (arma::uword i = 0; i < s.out.h; ++i)
                for (arma::uword j = 0; j < s.out.w; ++j) {
                    double sum = b ? (*b)(f) : 0.0;
                    for (arma::uword cc = 0; cc < s.c_group; ++cc)
                        for (int u = 0; u < g.kernel_h; ++u)
                            for (int v = 0; v < g.kernel_w; ++v) {
                                // padded-input pixel (i s + u d, j s + v d) is x pixel (h, w):
                                const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                                const long long ww = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;  // a padded zero
                                sum += w.at(f, cc, u, v) * x.at(n, c0 + cc, h, ww);
                            }
                    out.at(n, f, i, j) = sum;
                }
        }
    return out;
}
// [conv2d_forward]

// [conv2d_backward_scatter]
Conv2dGrads conv2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                    const Conv2dParams& p) {
    const Conv2dShape s = backward_shape("conv2d_backward_scatter", dout, x, w, p);
    const Window2d& g = s.window;
    const long long H = x.h(), W = x.w();
    Tensor4 dx(x.shape()), dw(w.shape());
    arma::vec db(w.n(), arma::fill::zeros);
    for (arma::uword n = 0; n < dout.n(); ++n)
        for (arma::uword f = 0; f < dout.c(); ++f) {
            const arma::uword c0 = (f / s.f_group) * s.c_group;
            for (arma::uword i = 0; i < s.out.h; ++i)
                for (arma::uword j = 0; j < s.out.w; ++j) {
                    // forward: out[n,f,i,j] = b[f] + sum_{c',u,v} w[f,c',u,v] x_p[n,c0+c',is+ud,js+vd]
                    const double d = dout.at(n, f, i, j);
                    db(f) += d;  // term 3: d out / d b[f] = 1
                    for (arma::uword cc = 0; cc < s.c_group; ++cc)
                        for (int u = 0; u < g.kernel_h; ++u)
                            for (int v = 0; v < g.kernel_w; ++v) {
                                const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                                const long long ww = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;  // padding: no x, no dw
                                dx.at(n, c0 + cc, h, ww) += w.at(f, cc, u, v) * d;  // term 1, += : windows overlap
                                dw.at(f, cc, u, v) += x.at(n, c0 + cc, h, ww) * d;  // term 2
                            }
                }
        }
    return {dx, dw, db};
}
// [conv2d_backward_scatter]

// [conv2d_backward_gather]
Conv2dGrads conv2d_backward_gather(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                   const Conv2dParams& p) {
    const Conv2dShape s = backward_shape("conv2d_backward_gather", dout, x, w, p);
    const Window2d& g = s.window;
    Tensor4 dx(x.shape()), dw(w.shape());
    // The pixel's view, (C6): dx[n,c,h,w] = sum of w[f,c',u,v] dout[n,f,i,j] over the windows holding (h,w).
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            const arma::uword group = c / s.c_group, cc = c % s.c_group;
            for (arma::uword h = 0; h < x.h(); ++h)
                for (arma::uword ww = 0; ww < x.w(); ++ww) {
                    double sum = 0.0;
                    for (arma::uword f = group * s.f_group; f < (group + 1) * s.f_group; ++f)
                        for (int u = 0; u < g.kernel_h; ++u) {
                            const long long i = window_at((long long)h + g.pad.top - (long long)u * g.dilation_h,
                                                             g.stride_h, s.out.h);
                            if (i < 0) continue;
                            for (int v = 0; v < g.kernel_w; ++v) {
                                const long long j = window_at(
                                    (long long)ww + g.pad.left - (long long)v * g.dilation_w, g.stride_w, s.out.w);
                                if (j < 0) continue;
                                sum += w.at(f, cc, u, v) * dout.at(n, f, i, j);
                            }
                        }
                    dx.at(n, c, h, ww) = sum;
                }
        }
    // The weight's view, (C4): dw[f,c',u,v] = sum over n, i, j of x_p[n,c,is+ud,js+vd] dout[n,f,i,j].
    for (arma::uword f = 0; f < w.n(); ++f)
        for (arma::uword cc = 0; cc < w.c(); ++cc) {
            const arma::uword c = (f / s.f_group) * s.c_group + cc;
            for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v) {
                    double sum = 0.0;
                    for (arma::uword n = 0; n < x.n(); ++n)
                        for (arma::uword i = 0; i < s.out.h; ++i) {
                            const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                            if (h < 0 || h >= (long long)x.h()) continue;
                            for (arma::uword j = 0; j < s.out.w; ++j) {
                                const long long ww = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                                if (ww < 0 || ww >= (long long)x.w()) continue;
                                sum += x.at(n, c, h, ww) * dout.at(n, f, i, j);
                            }
                        }
                    dw.at(f, cc, u, v) = sum;
                }
        }
    return {dx, dw, bias_gradient(dout)};
}
// [conv2d_backward_gather]

namespace {

// (S1): the matrix with s_h - 1 zero rows between consecutive rows of m and s_w - 1 zero columns
// between consecutive columns: size ((R-1)s_h + 1) x ((C-1)s_w + 1).
arma::mat dilate(const arma::mat& m, int s_h, int s_w) {
    arma::mat out((m.n_rows - 1) * s_h + 1, (m.n_cols - 1) * s_w + 1, arma::fill::zeros);
    out(arma::regspace<arma::uvec>(0, s_h, out.n_rows - 1), arma::regspace<arma::uvec>(0, s_w, out.n_cols - 1)) = m;
    return out;
}

// Valid cross-correlation, result[a,b] = sum_{k,l} A[a+k, b+l] B[k,l]. arma::conv2 computes a true
// convolution (it flips B), so flipping B first and keeping the fully-overlapping part gives it.
arma::mat xcorr_valid(const arma::mat& A, const arma::mat& B) {
    const arma::mat full = arma::conv2(A, arma::fliplr(arma::flipud(B)), "full");
    return full.submat(B.n_rows - 1, B.n_cols - 1, A.n_rows - 1, A.n_cols - 1);
}

}  // namespace

// [conv2d_backward_closed]
Conv2dGrads conv2d_backward_closed(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                   const Conv2dParams& p) {
    const Conv2dShape s = backward_shape("conv2d_backward_closed", dout, x, w, p);
    const Window2d& g = s.window;
    const arma::uword Hp = x.h() + g.pad.top + g.pad.bottom, Wp = x.w() + g.pad.left + g.pad.right;
    const Tensor4 xp = pad2d_forward(x, g.pad);  // the padded input of (S4), (P1)
    Tensor4 dx(x.shape()), dw(w.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword f = 0; f < w.n(); ++f) {
            const arma::uword c0 = (f / s.f_group) * s.c_group;
            const arma::mat dout_s = dilate(dout.plane(n, f), g.stride_h, g.stride_w);  // (S1)
            for (arma::uword cc = 0; cc < s.c_group; ++cc) {
                // (S3): conv2 flips its second argument, so this is the full cross-correlation of the
                // stride-dilated dout with the rotated, dilation-dilated filter. It covers padded rows
                // 0 .. (H'-1)s + (K-1)d; the rows after that (left out by the floor in (G1)) stay zero.
                const arma::mat full =
                    arma::conv2(dout_s, dilate(w.plane(f, cc), g.dilation_h, g.dilation_w), "full");
                arma::mat dxp(Hp, Wp, arma::fill::zeros);
                dxp.submat(0, 0, full.n_rows - 1, full.n_cols - 1) = full;
                dx.plane(n, c0 + cc) +=
                    dxp.submat(g.pad.top, g.pad.left, g.pad.top + x.h() - 1, g.pad.left + x.w() - 1);  // crop
                // (S4): dw[u,v] is entry (u d_h, v d_w) of the valid cross-correlation of x_p with dout_s.
                const arma::mat corr = xcorr_valid(xp.plane(n, c0 + cc), dout_s);
                dw.plane(f, cc) += corr(arma::regspace<arma::uvec>(0, g.dilation_h, (g.kernel_h - 1) * g.dilation_h),
                                        arma::regspace<arma::uvec>(0, g.dilation_w, (g.kernel_w - 1) * g.dilation_w));
            }
        }
    return {dx, dw, bias_gradient(dout)};  // (C5)
}
// [conv2d_backward_closed]

namespace {

// W_g of (M2): row f' (filter g F_g + f'), column (c' K_h + u) K_w + v, the im2col row order.
arma::mat weight_matrix(const Tensor4& w, arma::uword group, arma::uword f_group) {
    arma::mat Wg(f_group, w.c() * w.h() * w.w());
    for (arma::uword fl = 0; fl < f_group; ++fl)
        for (arma::uword cc = 0; cc < w.c(); ++cc)
            for (arma::uword u = 0; u < w.h(); ++u)
                for (arma::uword v = 0; v < w.w(); ++v)
                    Wg(fl, (cc * w.h() + u) * w.w() + v) = w.at(group * f_group + fl, cc, u, v);
    return Wg;
}

// Filters [g F_g, (g+1) F_g) of a (N, F, H', W') tensor as an F_g x (N H' W') matrix, column (n H' + i) W' + j.
arma::mat output_matrix(const Tensor4& t, arma::uword group, arma::uword f_group) {
    arma::mat m(f_group, t.n() * t.h() * t.w());
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword fl = 0; fl < f_group; ++fl)
            for (arma::uword i = 0; i < t.h(); ++i)
                for (arma::uword j = 0; j < t.w(); ++j)
                    m(fl, (n * t.h() + i) * t.w() + j) = t.at(n, group * f_group + fl, i, j);
    return m;
}

}  // namespace

// [conv2d_forward_matrix]
Tensor4 conv2d_forward_matrix(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                              const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape("conv2d_forward_matrix", x.shape(), w.shape(), b, p);
    Tensor4 out(s.out_shape);
    for (arma::uword group = 0; group < static_cast<arma::uword>(p.groups); ++group) {
        // (M2): out_g = W_g cols_g, an F_g x (N H' W') product.
        const arma::mat out_g = weight_matrix(w, group, s.f_group) *
                                im2col(x, group * s.c_group, s.c_group, s.window, s.out);
        for (arma::uword n = 0; n < out.n(); ++n)
            for (arma::uword fl = 0; fl < s.f_group; ++fl) {
                const arma::uword f = group * s.f_group + fl;
                for (arma::uword i = 0; i < s.out.h; ++i)
                    for (arma::uword j = 0; j < s.out.w; ++j)
                        out.at(n, f, i, j) = out_g(fl, (n * s.out.h + i) * s.out.w + j) + (b ? (*b)(f) : 0.0);
            }
    }
    return out;
}
// [conv2d_forward_matrix]

// [conv2d_backward_matrix]
Conv2dGrads conv2d_backward_matrix(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                   const Conv2dParams& p) {
    const Conv2dShape s = backward_shape("conv2d_backward_matrix", dout, x, w, p);
    Tensor4 dx(x.shape()), dw(w.shape());
    for (arma::uword group = 0; group < static_cast<arma::uword>(p.groups); ++group) {
        const arma::uword c0 = group * s.c_group;
        // forward (M2): out_g = W_g cols_g
        const arma::mat cols = im2col(x, c0, s.c_group, s.window, s.out);
        const arma::mat dout_g = output_matrix(dout, group, s.f_group);
        const arma::mat Wg = weight_matrix(w, group, s.f_group);
        const arma::mat dWg = dout_g * cols.t();    // (M3), term 1: d<W C, D>/dW = D C^T
        const arma::mat dcols = Wg.t() * dout_g;    // (M3), term 2: d<W C, D>/dC = W^T D
        col2im_add(dcols, c0, s.c_group, s.window, s.out, dx);  // (M4)
        for (arma::uword fl = 0; fl < s.f_group; ++fl)
            for (arma::uword cc = 0; cc < w.c(); ++cc)
                for (arma::uword u = 0; u < w.h(); ++u)
                    for (arma::uword v = 0; v < w.w(); ++v)
                        dw.at(group * s.f_group + fl, cc, u, v) = dWg(fl, (cc * w.h() + u) * w.w() + v);
    }
    return {dx, dw, bias_gradient(dout)};
}
// [conv2d_backward_matrix]

Conv2dGrads conv2d_backward(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    return conv2d_backward_matrix(dout, x, w, p);
}

}  // namespace cnnbp
