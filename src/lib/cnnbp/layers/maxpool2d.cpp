#include "cnnbp/layers/maxpool2d.hpp"

#include "cnnbp/core/error.hpp"

#include <algorithm>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
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

namespace {

// One tap of a column of windows: window i (first <= i < last) compares x_col[i s + row] with its best so far and
// takes it when it is strictly greater (on a tie the earlier tap keeps the win), when it is a NaN (a NaN wins, the
// last one), or when the window has no winner yet (win < 0); the winner is kept as its plane index, a double (exact
// below 2^53) so that one mask chooses both. Two windows at a time with SSE2, whose comparisons and masks make the
// same choice without a branch (random data would mispredict half of them); the scalar loop does the rest.
void compare_tap(const double* x_col, long long s, long long row, double col_index, arma::uword first,
                 arma::uword last, double* best, double* win) {
    arma::uword i = first;
#ifdef __SSE2__
    const __m128d none = _mm_setzero_pd();
    for (; i + 2 <= last; i += 2) {
        const long long h0 = (long long)i * s + row, h1 = h0 + s;
        const __m128d value = _mm_set_pd(x_col[h1], x_col[h0]);
        const __m128d b = _mm_loadu_pd(best + i), w = _mm_loadu_pd(win + i);
        const __m128d wins = _mm_or_pd(_mm_or_pd(_mm_cmpgt_pd(value, b), _mm_cmpunord_pd(value, value)),
                                       _mm_cmplt_pd(w, none));
        const __m128d index = _mm_set_pd(col_index + double(h1), col_index + double(h0));
        _mm_storeu_pd(best + i, _mm_or_pd(_mm_and_pd(wins, value), _mm_andnot_pd(wins, b)));
        _mm_storeu_pd(win + i, _mm_or_pd(_mm_and_pd(wins, index), _mm_andnot_pd(wins, w)));
    }
#endif
    for (; i < last; ++i) {
        const long long h = (long long)i * s + row;
        const double value = x_col[h];
        if (value > best[i] || std::isnan(value) || win[i] < 0) {
            best[i] = value;
            win[i] = col_index + double(h);
        }
    }
}

// The winner of every window of one plane, (X2), as an index into the plane (row h + column w * H): the same
// comparisons as maxpool2d_winner() makes window by window, in the same order, made for a whole column of windows j
// at once: for each tap (u, v) in row-major window order, every window i whose tap is inside the input compares it
// with its best so far, down the plane's contiguous column. `best` and `win` are scratch of H' doubles each.
void plane_winners(const arma::mat& x, const Window2d& g, const OutputSize& o, arma::uword* winners, double* best,
                   double* win) {
    for (arma::uword j = 0; j < o.w; ++j) {
        std::fill(best, best + o.h, -std::numeric_limits<double>::infinity());  // a padded cell never wins
        std::fill(win, win + o.h, -1.0);                                        // no winner yet
        for (int u = 0; u < g.kernel_h; ++u)
            for (int v = 0; v < g.kernel_w; ++v) {
                const Tap t = tap_at(g, o, x.n_rows, x.n_cols, u, v);
                if (j < t.cols.first || j >= t.cols.last) continue;  // column j's windows read this tap in the padding
                const long long col = (long long)(j * g.stride_w) + t.col;
                compare_tap(x.colptr(col), g.stride_h, t.row, double(col * (long long)x.n_rows), t.rows.first,
                            t.rows.last, best, win);
            }
        for (arma::uword i = 0; i < o.h; ++i) winners[j * o.h + i] = arma::uword(win[i]);
    }
}

}  // namespace

// [maxpool2d_forward]
Tensor4 maxpool2d_forward(const Tensor4& x, const Window2d& g) {
    const OutputSize o = checked_size("maxpool2d_forward", x, g);
    Tensor4 out(x.n(), x.c(), o.h, o.w);
    arma::uvec winners(o.h * o.w);
    arma::vec best(o.h), win(o.h);
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            const arma::mat& in = x.plane(n, c);
            plane_winners(in, g, o, winners.memptr(), best.memptr(), win.memptr());  // (X2), for every window (i, j)
            double* o_nc = out.plane(n, c).memptr();
            for (arma::uword k = 0; k < winners.n_elem; ++k) o_nc[k] = in.at(winners[k]);  // (X1)
        }
    return out;
}
// [maxpool2d_forward]

// [maxpool2d_backward_scatter]
Pool2dGrads maxpool2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Window2d& g) {
    const OutputSize o = checked_size("maxpool2d_backward_scatter", x, g);
    check_dout("maxpool2d_backward_scatter", dout, x, o);
    Tensor4 dx(x.shape());
    arma::uvec winners(o.h * o.w);
    arma::vec best(o.h), win(o.h);
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            // forward: out[n,c,i,j] = x[n,c,winner]; d out / d x is 1 at the winner, 0 elsewhere
            plane_winners(x.plane(n, c), g, o, winners.memptr(), best.memptr(), win.memptr());
            const double* d = dout.plane(n, c).memptr();
            double* dx_nc = dx.plane(n, c).memptr();
            for (arma::uword k = 0; k < winners.n_elem; ++k) dx_nc[winners[k]] += d[k];  // += : several windows
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
