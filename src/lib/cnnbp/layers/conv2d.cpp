#include "cnnbp/layers/conv2d.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/loops.hpp"
#include "cnnbp/layers/pad2d.hpp"

#include <vector>

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

Conv2dShape conv2d_backward_shape(const char* fn, const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                  const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape(fn, x.shape(), w.shape(), std::nullopt, p);
    if (!(dout.shape() == s.out_shape))
        fail(fn, ": dout has shape ", dout.shape(), " but the output shape is ", s.out_shape);
    return s;
}

// [conv2d_forward]
Tensor4 conv2d_forward(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                       const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape("conv2d_forward", x.shape(), w.shape(), b, p);
    const Window2d& g = s.window;
    Tensor4 out(s.out_shape);
    for (arma::uword n = 0; n < out.n(); ++n)
        for (arma::uword f = 0; f < out.c(); ++f) {
            const arma::uword c0 = (f / s.f_group) * s.c_group;  // first channel of f's group
            arma::mat& o = out.plane(n, f);
            o.fill(b ? (*b)(f) : 0.0);
            // (C1), one tap (c', u, v) at a time over the whole plane, in the order of the sum:
            // out[n,f,i,j] += w[f,c',u,v] x_p[n, c0 + c', i s_h + u d_h, j s_w + v d_w]
            for (arma::uword cc = 0; cc < s.c_group; ++cc)
                for (int u = 0; u < g.kernel_h; ++u)
                    for (int v = 0; v < g.kernel_w; ++v) {
                        const double weight = w.at(f, cc, u, v);
                        // padded-input pixel (i s_h + u d_h, j s_w + v d_w) is x pixel (i s_h + t.row, j s_w + t.col),
                        // inside x for the outputs i in t.rows, j in t.cols; for the others it is a padded zero
                        const Tap t = tap_at(g, s.out, x.h(), x.w(), u, v);
                        for (arma::uword j = t.cols.first; j < t.cols.last; ++j) {
                            const double* x_col = x.plane(n, c0 + cc).colptr(j * g.stride_w + t.col);
                            double* out_col = o.colptr(j);
                            for (arma::uword i = t.rows.first; i < t.rows.last; ++i)
                                out_col[i] += weight * x_col[(long long)(i * g.stride_h) + t.row];
                        }
                    }
        }
    return out;
}
// [conv2d_forward]

// [conv2d_backward_scatter]
Conv2dGrads conv2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                    const Conv2dParams& p) {
    const Conv2dShape s = conv2d_backward_shape("conv2d_backward_scatter", dout, x, w, p);
    const Window2d& g = s.window;
    Tensor4 dx(x.shape()), dw(w.shape());
    arma::vec db(w.n(), arma::fill::zeros);
    for (arma::uword n = 0; n < dout.n(); ++n)
        for (arma::uword f = 0; f < dout.c(); ++f) {
            const arma::uword c0 = (f / s.f_group) * s.c_group;
            const arma::mat& d = dout.plane(n, f);
            // forward: out[n,f,i,j] = b[f] + sum_{c',u,v} w[f,c',u,v] x_p[n,c0+c',is+ud,js+vd]
            db(f) += arma::accu(d);  // term 3: d out / d b[f] = 1
            for (arma::uword cc = 0; cc < s.c_group; ++cc)
                for (int u = 0; u < g.kernel_h; ++u)
                    for (int v = 0; v < g.kernel_w; ++v) {
                        // every output (i, j) sends dout[n,f,i,j] back to the pixel its tap (u, v) read,
                        // x pixel (i s_h + t.row, j s_w + t.col); outputs whose tap read padding send nothing
                        const Tap t = tap_at(g, s.out, x.h(), x.w(), u, v);
                        if (!t.inside()) continue;  // every window reads this tap in the padding
                        const double weight = w.at(f, cc, u, v);
                        double weight_grad = 0.0;
                        for (arma::uword j = t.cols.first; j < t.cols.last; ++j) {
                            double* dx_col = dx.plane(n, c0 + cc).colptr(j * g.stride_w + t.col);
                            const double* x_col = x.plane(n, c0 + cc).colptr(j * g.stride_w + t.col);
                            const double* d_col = d.colptr(j);
                            for (arma::uword i = t.rows.first; i < t.rows.last; ++i)  // term 1, += : windows overlap
                                dx_col[(long long)(i * g.stride_h) + t.row] += weight * d_col[i];
                            weight_grad += strided_dot(d_col + t.rows.first,  // term 2
                                                       x_col + (long long)(t.rows.first * g.stride_h) + t.row,
                                                       t.rows.last - t.rows.first, g.stride_h);
                        }
                        dw.at(f, cc, u, v) += weight_grad;
                    }
        }
    return {dx, dw, db};
}
// [conv2d_backward_scatter]

// [conv2d_backward_gather]
Conv2dGrads conv2d_backward_gather(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                   const Conv2dParams& p) {
    const Conv2dShape s = conv2d_backward_shape("conv2d_backward_gather", dout, x, w, p);
    const Window2d& g = s.window;
    Tensor4 dx(x.shape()), dw(w.shape());
    // The pixel's view, (C6): pixel row h is tap u of output row i = window_at(h + p_top - u d_h) when that is >= 0;
    // the same for columns. The lookups depend on (u, h) and (v, w) alone: once, in two tables.
    std::vector<long long> row_of(g.kernel_h * x.h()), col_of(g.kernel_w * x.w());
    for (int u = 0; u < g.kernel_h; ++u)
        for (arma::uword h = 0; h < x.h(); ++h)
            row_of[u * x.h() + h] = window_at((long long)h + g.pad.top - (long long)u * g.dilation_h, g.stride_h, s.out.h);
    for (int v = 0; v < g.kernel_w; ++v)
        for (arma::uword ww = 0; ww < x.w(); ++ww)
            col_of[v * x.w() + ww] = window_at((long long)ww + g.pad.left - (long long)v * g.dilation_w, g.stride_w, s.out.w);
    // dx[n,c,h,w] = sum over f in the group of c and (u, v) of w[f,c',u,v] dout[n,f,i,j], each pixel gathering
    // from the windows that hold it, one (f, u, v) at a time over the whole plane
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            const arma::uword group = c / s.c_group, cc = c % s.c_group;
            arma::mat& dx_nc = dx.plane(n, c);
            for (arma::uword f = group * s.f_group; f < (group + 1) * s.f_group; ++f)
                for (int u = 0; u < g.kernel_h; ++u)
                    for (int v = 0; v < g.kernel_w; ++v) {
                        const double weight = w.at(f, cc, u, v);
                        for (arma::uword ww = 0; ww < x.w(); ++ww) {
                            const long long j = col_of[v * x.w() + ww];
                            if (j < 0) continue;  // no window puts tap v on this column
                            const double* d_col = dout.plane(n, f).colptr(j);
                            double* dx_col = dx_nc.colptr(ww);
                            for (arma::uword h = 0; h < x.h(); ++h) {
                                const long long i = row_of[u * x.h() + h];
                                if (i >= 0) dx_col[h] += weight * d_col[i];
                            }
                        }
                    }
        }
    // The weight's view, (C4): dw[f,c',u,v] = sum over n, i, j of x_p[n,c,is+ud,js+vd] dout[n,f,i,j].
    for (arma::uword f = 0; f < w.n(); ++f)
        for (arma::uword cc = 0; cc < w.c(); ++cc) {
            const arma::uword c = (f / s.f_group) * s.c_group + cc;
            for (int u = 0; u < g.kernel_h; ++u)
                for (int v = 0; v < g.kernel_w; ++v) {
                    const Tap t = tap_at(g, s.out, x.h(), x.w(), u, v);  // x pixel (i s_h + t.row, j s_w + t.col)
                    double sum = 0.0;
                    if (t.inside())  // else every window reads this tap in the padding: dw stays 0
                        for (arma::uword n = 0; n < x.n(); ++n)
                            for (arma::uword j = t.cols.first; j < t.cols.last; ++j)  // along output column j of dout
                                sum += strided_dot(dout.plane(n, f).colptr(j) + t.rows.first,
                                                   x.plane(n, c).colptr(j * g.stride_w + t.col) +
                                                       ((long long)(t.rows.first * g.stride_h) + t.row),
                                                   t.rows.last - t.rows.first, g.stride_h);
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

}  // namespace

// [conv2d_backward_closed]
Conv2dGrads conv2d_backward_closed(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                   const Conv2dParams& p) {
    const Conv2dShape s = conv2d_backward_shape("conv2d_backward_closed", dout, x, w, p);
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
                // (S4): dw[u,v] is entry (u d_h, v d_w) of the valid cross-correlation of x_p with dout_s,
                // sum_{a,b} x_p[u d_h + a, v d_w + b] dout_s[a, b]; only those K_h K_w entries are computed.
                for (int u = 0; u < g.kernel_h; ++u)
                    for (int v = 0; v < g.kernel_w; ++v)
                        dw.at(f, cc, u, v) += arma::accu(
                            xp.plane(n, c0 + cc).submat(u * g.dilation_h, v * g.dilation_w, arma::size(dout_s)) % dout_s);
            }
        }
    return {dx, dw, bias_gradient(dout)};  // (C5)
}
// [conv2d_backward_closed]

}  // namespace cnnbp
