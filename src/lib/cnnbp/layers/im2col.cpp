#include "cnnbp/layers/im2col.hpp"

#include "cnnbp/core/error.hpp"

namespace cnnbp {

namespace {

// Calls visit(row, col, n, c, h, w) for every entry of the im2col matrix that comes from a real
// (not padded) pixel. One loop serves im2col and col2im, so that the two are adjoint by construction
// of their index maps and differ only in the direction the value travels.
template <class Visit>
void for_each_window_entry(const Tensor4& shape_of, arma::uword c0, arma::uword channels, const Window2d& g,
                           const OutputSize& o, Visit&& visit) {
    const long long H = shape_of.h(), W = shape_of.w();
    for (arma::uword n = 0; n < shape_of.n(); ++n)
        for (arma::uword i = 0; i < o.h; ++i)
            for (arma::uword j = 0; j < o.w; ++j) {
                const arma::uword col = (n * o.h + i) * o.w + j;
                for (arma::uword cc = 0; cc < channels; ++cc)
                    for (int u = 0; u < g.kernel_h; ++u) {
                        const long long h = static_cast<long long>(i) * g.stride_h + u * g.dilation_h - g.pad.top;
                        if (h < 0 || h >= H) continue;
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long w =
                                static_cast<long long>(j) * g.stride_w + v * g.dilation_w - g.pad.left;
                            if (w < 0 || w >= W) continue;
                            const arma::uword row = (cc * g.kernel_h + u) * g.kernel_w + v;
                            visit(row, col, n, c0 + cc, static_cast<arma::uword>(h), static_cast<arma::uword>(w));
                        }
                    }
            }
}

}  // namespace

// [im2col]
arma::mat im2col(const Tensor4& x, arma::uword c0, arma::uword channels, const Window2d& g, const OutputSize& o) {
    if (c0 + channels > x.c()) fail("im2col: channels [", c0, ",", c0 + channels, ") exceed C = ", x.c());
    arma::mat cols(channels * g.kernel_h * g.kernel_w, x.n() * o.h * o.w, arma::fill::zeros);
    for_each_window_entry(x, c0, channels, g, o,
                          [&](arma::uword row, arma::uword col, arma::uword n, arma::uword c, arma::uword h,
                              arma::uword w) { cols.at(row, col) = x.at(n, c, h, w); });
    return cols;
}
// [im2col]

// [col2im_add]
void col2im_add(const arma::mat& cols, arma::uword c0, arma::uword channels, const Window2d& g, const OutputSize& o,
                Tensor4& dx) {
    if (c0 + channels > dx.c()) fail("col2im_add: channels [", c0, ",", c0 + channels, ") exceed C = ", dx.c());
    if (cols.n_rows != channels * g.kernel_h * g.kernel_w || cols.n_cols != dx.n() * o.h * o.w)
        fail("col2im_add: cols is ", cols.n_rows, " x ", cols.n_cols, " but the window needs ",
             channels * g.kernel_h * g.kernel_w, " x ", dx.n() * o.h * o.w);
    for_each_window_entry(dx, c0, channels, g, o,
                          [&](arma::uword row, arma::uword col, arma::uword n, arma::uword c, arma::uword h,
                              arma::uword w) { dx.at(n, c, h, w) += cols.at(row, col); });  // += : windows overlap
}
// [col2im_add]

}  // namespace cnnbp
