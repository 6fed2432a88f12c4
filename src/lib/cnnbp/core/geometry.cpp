#include "cnnbp/core/geometry.hpp"

#include "cnnbp/core/error.hpp"

#include <algorithm>
#include <ostream>
#include <utility>

namespace cnnbp {

std::ostream& operator<<(std::ostream& os, const Padding& p) {
    return os << "(top=" << p.top << ",bottom=" << p.bottom << ",left=" << p.left << ",right=" << p.right << ')';
}

// [output_size_1d]
long long output_size_1d(long long n, long long kernel, long long stride, long long pad_lo, long long pad_hi,
                         long long dilation, bool ceil_mode) {
    const long long padded = n + pad_lo + pad_hi;
    const long long extent = dilation * (kernel - 1) + 1;  // the dilated window
    if (padded < extent) return 0;                          // not one window fits
    if (!ceil_mode) return (padded - extent) / stride + 1;  // (G1): integer division is the floor here
    long long count = (padded - extent + stride - 1) / stride + 1;  // (G3): rounded up
    if ((count - 1) * stride >= n + pad_lo) --count;  // the last window would start in the high padding
    return count;
}
// [output_size_1d]

long long window_at(long long a, int stride, arma::uword count) {
    if (a < 0 || a % stride != 0 || a / stride >= static_cast<long long>(count)) return -1;
    return a / stride;
}

TapRange taps_inside(long long offset, int stride, arma::uword count, arma::uword n) {
    // i s + offset >= 0  <=>  i >= ceil(-offset / s);   i s + offset <= n - 1  <=>  i <= floor((n - 1 - offset) / s)
    const long long first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    const long long past = static_cast<long long>(n) - 1 - offset;
    const long long last = past < 0 ? 0 : std::min<long long>(static_cast<long long>(count), past / stride + 1);
    return last <= first ? TapRange{0, 0} : TapRange{arma::uword(first), arma::uword(last)};
}

Tap tap_at(const Window2d& g, const OutputSize& o, arma::uword H, arma::uword W, int u, int v) {
    const long long row = (long long)u * g.dilation_h - g.pad.top, col = (long long)v * g.dilation_w - g.pad.left;
    return {row, col, taps_inside(row, g.stride_h, o.h, H), taps_inside(col, g.stride_w, o.w, W)};
}

namespace {

void require_at_least(const char* fn, const char* name, long long value, long long least) {
    if (value < least) fail(fn, ": ", name, " must be >= ", least, ", got ", value);
}

long long checked_axis(const char* fn, const char* axis, long long n, long long kernel, long long stride,
                       long long pad_lo, const char* lo_name, long long pad_hi, const char* hi_name,
                       long long dilation) {
    const long long padded = n + pad_lo + pad_hi;
    const long long extent = dilation * (kernel - 1) + 1;
    if (extent > padded)
        fail(fn, ": the dilated kernel ", axis, " d(K-1)+1 = ", dilation, "*(", kernel, "-1)+1 = ", extent,
             " is larger than the padded input ", axis, " ", n, "+", pad_lo, "+", pad_hi, " = ", padded,
             " (", lo_name, ", ", hi_name, "), so the output would be empty");
    return output_size_1d(n, kernel, stride, pad_lo, pad_hi, dilation);
}

// (G4): pooling's padding is at most half the kernel, and every window holds at least one input cell.
void check_pool_axis(const char* fn, const char* axis, long long n, long long kernel, long long stride,
                     long long pad_lo, const char* lo_name, long long pad_hi, const char* hi_name, long long dilation,
                     long long count) {
    for (auto [pad, name] : {std::pair{pad_lo, lo_name}, std::pair{pad_hi, hi_name}})
        if (pad > kernel / 2)
            fail(fn, ": ", name, " = ", pad, " is more than half the kernel ", axis, " (", kernel, "/2 = ", kernel / 2,
                 "); pooling allows at most half");
    for (long long i = 0; i < count; ++i) {
        bool touches_input = false;
        for (long long u = 0; u < kernel && !touches_input; ++u) {
            const long long a = i * stride + u * dilation - pad_lo;  // input position of tap u
            touches_input = a >= 0 && a < n;
        }
        if (!touches_input)
            fail(fn, ": pooling window ", i, " along the ", axis, " (taps at padded positions ", i * stride, ", ",
                 i * stride + dilation, ", ...) lies wholly in the padding (", lo_name, " ", pad_lo, ", ", hi_name, " ",
                 pad_hi, ", dilation ", dilation, ", input ", axis, " ", n, ")");
    }
}

}  // namespace

OutputSize output_size(const char* fn, const Window2d& g, arma::uword H, arma::uword W) {
    require_at_least(fn, "kernel_h", g.kernel_h, 1);
    require_at_least(fn, "kernel_w", g.kernel_w, 1);
    require_at_least(fn, "stride_h", g.stride_h, 1);
    require_at_least(fn, "stride_w", g.stride_w, 1);
    require_at_least(fn, "dilation_h", g.dilation_h, 1);
    require_at_least(fn, "dilation_w", g.dilation_w, 1);
    require_at_least(fn, "padding top", g.pad.top, 0);
    require_at_least(fn, "padding bottom", g.pad.bottom, 0);
    require_at_least(fn, "padding left", g.pad.left, 0);
    require_at_least(fn, "padding right", g.pad.right, 0);
    const long long h = checked_axis(fn, "height", static_cast<long long>(H), g.kernel_h, g.stride_h, g.pad.top,
                                     "padding top", g.pad.bottom, "padding bottom", g.dilation_h);
    const long long w = checked_axis(fn, "width", static_cast<long long>(W), g.kernel_w, g.stride_w, g.pad.left,
                                     "padding left", g.pad.right, "padding right", g.dilation_w);
    return {static_cast<arma::uword>(h), static_cast<arma::uword>(w)};
}

OutputSize pool_output_size(const char* fn, const Window2d& g, arma::uword H, arma::uword W) {
    output_size(fn, g, H, W);  // the checks every window shares; the count may differ under ceil_mode
    const long long h = output_size_1d(H, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom, g.dilation_h, g.ceil_mode);
    const long long w = output_size_1d(W, g.kernel_w, g.stride_w, g.pad.left, g.pad.right, g.dilation_w, g.ceil_mode);
    check_pool_axis(fn, "height", H, g.kernel_h, g.stride_h, g.pad.top, "padding top", g.pad.bottom, "padding bottom",
                    g.dilation_h, h);
    check_pool_axis(fn, "width", W, g.kernel_w, g.stride_w, g.pad.left, "padding left", g.pad.right, "padding right",
                    g.dilation_w, w);
    return {static_cast<arma::uword>(h), static_cast<arma::uword>(w)};
}

}  // namespace cnnbp
